using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>detect, layers, features and detect-cam with an Ultralytics YOLOv8 training save: the family is read from the file.</summary>
public class Yolov8CommandTests
{
    static string Weights => Path.Combine(Fixtures.Folder, "yolov8", "yolov8t.pt");
    static string Sample(string file) => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", file);

    static JsonElement[] Detections(params string[] extra)
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), ["detect", Sample("bus.jpg"), "--weights", Weights, "--json", "--device", "cpu", .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        return doc.RootElement.EnumerateArray().Single().GetProperty("detections").EnumerateArray().Select(d => d.Clone()).ToArray();
    }

    /// <summary>Ultralytics' defaults (IoU 0.7, max_det 300) apply unless --iou / --max-det are given.</summary>
    [Fact]
    public void DetectUsesUltralyticsDefaultsAndTheOptions()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "yolov8", "detections.json")));
        int expected = doc.RootElement.GetProperty("images").GetProperty("bus.jpg").GetProperty("detections").GetArrayLength();
        var all = Detections();
        Assert.Equal(expected, all.Length);
        Assert.Equal("bicycle", all[0].GetProperty("class_name").GetString());
        var some = Detections("--classes", "2", "--conf", "0.3");
        Assert.NotEmpty(some);
        Assert.All(some, d => Assert.Equal("car", d.GetProperty("class_name").GetString()));
        Assert.True(Detections("--iou", "0.3").Length < all.Length);
        Assert.Equal(3, Detections("--max-det", "3").Length);
    }

    [Fact]
    public void LayersListsTheNeckAndHead()
    {
        var run = CliProcess.Run("layers", Weights, "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var names = doc.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("model.15", names);
        Assert.Contains("model.21.cv2.act", names);
        Assert.Contains("model.22.out.2", names);
    }

    [Fact]
    public void LayersNamesTheDefaultCamLayers()
    {
        var run = CliProcess.Run("layers", Path.Combine(Fixtures.Folder, "yolo11", "yolo11t.pt"), "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("24-layer YOLO11 (10 classes)", run.StdOut);
        Assert.Contains("detect-cam's default layers (feeding Detect): model.16, model.19, model.22", run.StdOut);
    }

    [Fact]
    public void DetectCamExplainsEveryDetection()
    {
        string output = Path.Combine(Path.GetTempPath(), $"nc-v8-cam-{Environment.ProcessId}");
        try
        {
            var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect-cam", Sample("bus.jpg"), "--weights", Weights, "--out", output, "--json", "--device", "cpu");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            var report = doc.RootElement.EnumerateArray().Single(); // --json is always an array, one report per image
            int detections = report.GetProperty("detections").GetArrayLength();
            Assert.True(detections > 0);
            Assert.Equal(detections, report.GetProperty("maps").GetArrayLength());
            Assert.All(report.GetProperty("maps").EnumerateArray(), m => Assert.True(File.Exists(Path.Combine(output, "bus", m.GetProperty("file").GetString()!))));
        }
        finally { if (Directory.Exists(output)) Directory.Delete(output, true); }
    }

    [Fact]
    public void FeaturesTilesAYolov8LayersChannels()
    {
        using var work = new NativeCam.Tests.Weights.TempFolder();
        var run = CliProcess.RunIn(work.Path, TimeSpan.FromMinutes(2), "features", Sample("bus.jpg"), "--weights", Weights, "--layer", "model.15",
            "--count", "16", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        var grid = NativeCam.Imaging.ImageLoader.Load(work.File("bus_model.15_features.png"));
        Assert.True(grid.Width > 0 && grid.Height > 0);
        Assert.True(grid.Pixels.Distinct().Count() > 1, "a flat picture: no channel drawn");
    }

    [Fact]
    public void ObjectnessScoreIsRefusedInOneLine()
    {
        var run = CliProcess.Run("detect-cam", Sample("bus.jpg"), "--weights", Weights, "--score", "obj", "--out", Path.Combine(Path.GetTempPath(), "nc-v8-obj"), "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("YOLOv8 has no objectness", line);
    }

    /// <summary>inspect names the family; convert keeps what the builder needs (yaml, names, module records).</summary>
    [Fact]
    public void InspectAndConvertUnderstandTheFile()
    {
        var inspect = CliProcess.Run("inspect", Weights);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("yolov8", inspect.StdOut);
        Assert.Contains("ultralytics.nn.tasks.DetectionModel", inspect.StdOut);
        string converted = Path.Combine(Path.GetTempPath(), $"nc-v8-{Environment.ProcessId}.msgpack");
        try
        {
            var convert = CliProcess.Run("convert", Weights, converted);
            Assert.True(convert.ExitCode == 0, convert.ToString());
            var original = Detections();
            var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect", Sample("bus.jpg"), "--weights", converted, "--json", "--device", "cpu");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            Assert.Equal(original.Select(d => d.GetProperty("confidence").GetDouble()),
                doc.RootElement.EnumerateArray().Single().GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("confidence").GetDouble()));
        }
        finally { File.Delete(converted); }
    }
}
