using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Grad-CAM for YOLOv8 detections: the first 4 detections of bus.jpg explained in one backward sweep at the three
/// layers feeding Detect, each score the class logit at the detection's anchor point; raw maps against
/// pytorch-grad-cam's formula on the Ultralytics model (tests/reference/yolov8_reference.py), to 1e-3 of each
/// layer's largest value. Layers not feeding a detection's level give exactly zero maps.
/// </summary>
public class Yolov8CamTests
{
    static string Folder => Path.Combine(Fixtures.Folder, "yolov8");

    [Fact]
    public void RawGradCamMapsMatchTheReference()
    {
        using var detector = Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolov8t.pt"));
        var adapter = new Yolov8CamAdapter(detector.Model);
        Assert.Equal(["model.15", "model.18", "model.21"], adapter.DefaultLayers);
        var (input, info) = Letterbox.Apply(detector.Device, ImageLoader.Load(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg")), 640);
        using (input)
        {
            var request = new CamRequest { Methods = [CamMethod.GradCam], Layers = adapter.DefaultLayers };
            List<Detection> detections = [];
            using var result = CamEngine.Compute(adapter, input, outputs =>
            {
                detections = detector.Postprocess(outputs, info).Take(4).ToList();
                return YoloTargets.FromDetections(detections);
            }, request);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "gradcam_bus.json")));
            Assert.Equal(doc.RootElement.GetProperty("detections").GetInt32(), detections.Count);
            foreach (var layer in adapter.DefaultLayers)
            {
                var got = result[CamMethod.GradCam, layer].ToHost();
                var want = doc.RootElement.GetProperty("maps").GetProperty(layer).EnumerateArray()
                    .Select(m => m.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                double scale = Math.Max(want.Max(m => m.Max()), 1e-12);
                for (int k = 0; k < want.Length; k++)
                {
                    Assert.Equal(want[k].Length, got.Maps[k].Length);
                    for (int i = 0; i < want[k].Length; i++)
                        Assert.True(Math.Abs(got.Maps[k][i] - want[k][i]) <= 1e-3 * scale, $"{layer} target {k} pixel {i}: {got.Maps[k][i]} vs {want[k][i]}");
                }
            }
        }
    }

    [Fact]
    public void ObjectnessIsRefusedClearly()
    {
        using var detector = Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolov8t.pt"));
        var adapter = new Yolov8CamAdapter(detector.Model);
        using var input = NativeCam.Tensors.Tensor.Zeros(detector.Device, 1, 3, 64, 64);
        var e = Assert.Throws<ArgumentException>(() => CamEngine.Compute(adapter, input,
            _ => new YoloTargets([new YoloTarget(0, 0, 0, 0, 0)], CamScore.Objectness)));
        Assert.Contains("no objectness", e.Message);
    }

    /// <summary>Box targets: every prediction of the level overlapping the box adds its IoU-weighted logit, so the
    /// seed is the cell seed plus more; the maps exist and are finite.</summary>
    [Fact]
    public void BoxTargetsGiveMaps()
    {
        using var detector = Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolov8t.pt"));
        var adapter = new Yolov8CamAdapter(detector.Model);
        var (input, info) = Letterbox.Apply(detector.Device, ImageLoader.Load(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg")), 640);
        using (input)
        {
            var request = new CamRequest { Methods = [CamMethod.LayerCam], Layers = adapter.DefaultLayers };
            using var result = CamEngine.Compute(adapter, input, outputs =>
                YoloTargets.FromDetections(detector.Postprocess(outputs, info).Take(3), CamScore.Confidence, TargetRegion.Box), request);
            var maps = adapter.DefaultLayers.Select(l => result[CamMethod.LayerCam, l].ToHost()).ToArray();
            for (int k = 0; k < 3; k++)
            {
                Assert.Contains(maps, m => m.Max[k] > 0);
                Assert.All(maps, m => Assert.All(m.Maps[k], v => Assert.True(float.IsFinite(v))));
            }
        }
    }
}
