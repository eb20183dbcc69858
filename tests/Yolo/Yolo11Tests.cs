using System.Text.Json;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// YOLO11 (tests/reference/yolo11_reference.py): a training save of yolo11.yaml at scale t (width 1/8) built by
/// Ultralytics' parse_model; detections equal predict's (class, anchor, box ≤ 2 px, conf ≤ 0.01); raw Grad-CAM of
/// 4 detections in one sweep to 1e-3 of scale; C3k2 (with and without C3k) and C2PSA forward and input gradient vs
/// the official modules in float64 (gradients checked by gradcheck in the generator).
/// </summary>
public class Yolo11Tests
{
    static string Folder => Path.Combine(Fixtures.Folder, "yolo11");
    static readonly Lazy<Yolov8Detector> Detector = new(() => Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolo11t.pt")));
    static string Sample(string file) => Path.Combine(YoloFixture.RepoRoot(), "samples", file);

    static int[] Shape(JsonElement a) => a.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
    static double[] Data(JsonElement a) => a.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Theory]
    [InlineData("bus.jpg")]
    [InlineData("zidane.jpg")]
    public void DetectionsMatchUltralyticsPredict(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "detections.json")));
        var expected = doc.RootElement.GetProperty("images").GetProperty(file).GetProperty("detections").EnumerateArray().ToArray();
        var (detections, _) = Detector.Value.Detect(ImageLoader.Load(Sample(file)));
        UltralyticsDetections.AssertMatch(expected, detections);
    }

    [Fact]
    public void RawGradCamMapsMatchTheReference()
    {
        var detector = Detector.Value;
        var adapter = new Yolov8CamAdapter(detector.Model);
        Assert.Equal(["model.16", "model.19", "model.22"], adapter.DefaultLayers);
        var (input, info) = Letterbox.Apply(detector.Device, ImageLoader.Load(Sample("bus.jpg")), 640);
        using (input)
        {
            var request = new CamRequest { Methods = [CamMethod.GradCam], Layers = adapter.DefaultLayers };
            using var result = CamEngine.Compute(adapter, input, outputs =>
                YoloTargets.FromDetections(detector.Postprocess(outputs, info).Take(4)), request);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "gradcam_bus.json")));
            foreach (var layer in adapter.DefaultLayers)
            {
                var got = result[CamMethod.GradCam, layer].ToHost();
                var want = doc.RootElement.GetProperty("maps").GetProperty(layer).EnumerateArray().Select(m => Data(m)).ToArray();
                Assert.Equal(want.Length, got.Maps.Length);
                double scale = Math.Max(want.Max(m => m.Max()), 1e-12);
                for (int k = 0; k < want.Length; k++)
                    for (int i = 0; i < want[k].Length; i++)
                        Assert.True(Math.Abs(got.Maps[k][i] - want[k][i]) <= 1e-3 * scale, $"{layer} target {k} pixel {i}: {got.Maps[k][i]} vs {want[k][i]}");
            }
        }
    }

    [Theory]
    [InlineData("c3k2")]
    [InlineData("c3k2-c3k")]
    [InlineData("c2psa")]
    public void BlocksMatchUltralyticsForwardAndBackward(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "modules.json")));
        var c = doc.RootElement.GetProperty("blocks").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var tensors = c.GetProperty("tensors").EnumerateObject()
            .Select(t => KeyValuePair.Create("b." + t.Name, new HostTensor(Data(t.Value).Select(v => (float)v).ToArray(), Shape(t.Value))));
        var modules = c.GetProperty("tensors").EnumerateObject().Where(t => t.Name.EndsWith(".bn.weight"))
            .ToDictionary(t => "b." + t.Name[..^".weight".Length], _ => new ModuleInfo("torch.nn.modules.batchnorm.BatchNorm2d", new Dictionary<string, object?> { ["eps"] = 1e-3 }));
        var weights = new StateDict(tensors);
        var ctx = new BuildContext(TestDevice.Default, weights, modules);
        var x = c.GetProperty("x");
        int c1 = Shape(x)[1];
        using Module block = name switch
        {
            "c3k2" => new C2f(ctx, "b", 6, 8, 2, true, 1, 0.5, C2f.Inner.C3k2),
            "c3k2-c3k" => new C2f(ctx, "b", 8, 8, 1, true, 1, 0.5, C2f.Inner.C3k),
            _ => new C2Psa(ctx, "b", c1, c1, 1, 1.0),
        };
        Assert.Empty(weights.Unused);
        var r = OpRunner.Run(v => block.Forward(v[0]), [new(Data(x), Shape(x))], Data(c.GetProperty("gy")));
        var y = Data(c.GetProperty("y"));
        Check.Close(r.Output, y, $"{name} forward", 1e-4, 1e-4 * y.Max(Math.Abs));
        var gx = Data(c.GetProperty("gx"));
        Check.Close(r.Grads[0], gx, $"{name} input gradient", 1e-4, 1e-4 * gx.Max(Math.Abs));
    }

    [Fact]
    public void LayoutComesFromTheFile()
    {
        var m = Detector.Value.Model;
        Assert.Equal("t", m.Config.Scale);
        Assert.Equal(24, m.Layers.Count);
        Assert.Equal("C2PSA", m.Layers[10].Type);
    }
}
