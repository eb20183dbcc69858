using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// A YOLOv8 checkpoint saved as Ultralytics training saves it (tests/fixtures/yolov8/yolov8t.pt: fp16 model inside
/// {'model', 'ema': None, 'optimizer': None, 'train_args', ...}), built from its own yaml, against Ultralytics'
/// modules and predict post-processing (tests/reference/yolov8_reference.py): same classes and count, boxes within
/// 2 px, confidences within 0.01; raw Detect level outputs to 1e-3 of their scale.
/// </summary>
public class Yolov8DetectionTests
{
    static string Folder => Path.Combine(Fixtures.Folder, "yolov8");
    static readonly Lazy<Yolov8Detector> Detector = new(() => Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolov8t.pt")));

    static readonly Lazy<Yolov8Detector> OneClass = new(() => Yolov8Detector.Load(TestDevice.Default, Path.Combine(Folder, "yolov8t-1class.pt")));

    /// <summary>The training save (10 classes, scale t) and a 1-class model at scale u (width 1/16) as model.save() writes it.</summary>
    [Theory]
    [InlineData("bus.jpg", false)]
    [InlineData("zidane.jpg", false)]
    [InlineData("bus.jpg", true)]
    [InlineData("zidane.jpg", true)]
    public void DetectionsMatchUltralyticsPredict(string file, bool oneClass)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, oneClass ? "detections-1class.json" : "detections.json")));
        var expected = doc.RootElement.GetProperty("images").GetProperty(file).GetProperty("detections").EnumerateArray().ToArray();
        var detector = oneClass ? OneClass.Value : Detector.Value;
        var (detections, _) = detector.Detect(ImageLoader.Load(Path.Combine(YoloFixture.RepoRoot(), "samples", file)), options: Yolov8Detector.DefaultNms);
        UltralyticsDetections.AssertMatch(expected, detections);
    }

    [Fact]
    public void RawDetectOutputsMatchUltralytics()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "raw_bus.json")));
        var det = Detector.Value;
        var (input, _) = Letterbox.Apply(det.Device, ImageLoader.Load(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg")), 640);
        using (input)
        using (new Tape { Inference = true })
        {
            var outs = det.Forward(input);
            var levels = doc.RootElement.GetProperty("levels").EnumerateArray().ToArray();
            Assert.Equal(levels.Length, outs.Length);
            for (int l = 0; l < outs.Length; l++)
            {
                Assert.Equal(levels[l].GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()), outs[l].Shape);
                int step = levels[l].GetProperty("step").GetInt32();
                var want = levels[l].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var got = outs[l].Value.ToArray();
                double scale = want.Max(Math.Abs);
                for (int i = 0; i < want.Length; i++) Assert.InRange(got[i * step] - want[i], -1e-3 * scale, 1e-3 * scale);
            }
        }
    }

    [Fact]
    public void ClassNamesAndLayoutComeFromTheFile()
    {
        var m = Detector.Value.Model;
        Assert.Equal(10, m.Head.Classes);
        Assert.Equal("person", m.ClassNames[0]);
        Assert.Equal(0.125, m.Config.Width);
        Assert.Equal(23, m.Layers.Count);
        var one = OneClass.Value.Model;
        Assert.Equal(["pedestrian"], one.ClassNames);
        Assert.Equal(0.0625, one.Config.Width);
    }
}
