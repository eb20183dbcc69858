using System.Text.Json;
using NativeCam.Cli.Metrics;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`nativecam metrics` on Ultralytics YOLOv8 and YOLO11 files: the family's default layers and scores, every
/// detection of bus.jpg measured, and obj refused (these models have no objectness).</summary>
public class Yolov8MetricsCommandTests
{
    static string Weights(string family, string file) => Path.Combine(Fixtures.Folder, family, file);
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");

    static int ExpectedDetections(string family)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, family, "detections.json")));
        return doc.RootElement.GetProperty("images").GetProperty("bus.jpg").GetProperty("detections").GetArrayLength();
    }

    static JsonElement[] Rows(params string[] args)
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(5), ["metrics", Bus, .. args, "--json", "--device", "cpu"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        return doc.RootElement.EnumerateArray().Select(r => r.Clone()).ToArray();
    }

    static void AssertMeasured(JsonElement r, int detections)
    {
        Assert.Equal(detections, r.GetProperty("detections").GetInt32());
        Assert.Equal(detections, r.GetProperty("per_detection").GetArrayLength());
        Assert.InRange(r.GetProperty("energy_in_box").GetDouble(), 0, 1);
        Assert.InRange(r.GetProperty("localisation_iou").GetDouble(), 0, 1);
        Assert.InRange(r.GetProperty("pointing_hits").GetInt32(), 0, detections);
        Assert.True(r.GetProperty("compute_ms").GetDouble() > 0);
    }

    [Fact]
    public void Yolov8MeasuresEveryDetectionAtTheLayersFeedingDetect()
    {
        int expected = ExpectedDetections("yolov8");
        var rows = Rows("--weights", Weights("yolov8", "yolov8t.pt"), "--methods", "gradcam,layercam",
            "--layers", "auto,model.15,fuse:model.15+model.18+model.21", "--scores", "logit", "--regions", "cell,box");
        Assert.Equal(12, rows.Length); // 2 methods × 3 layer specs × 1 score × 2 regions
        foreach (var r in rows) AssertMeasured(r, expected);
        var fused = rows.Where(r => r.GetProperty("layer").GetString() == "fuse:model.15+model.18+model.21").ToArray();
        Assert.Equal(4, fused.Length);
    }

    [Fact]
    public void Yolo11DefaultsAreItsOwnLayersAndTheScoresItHas()
    {
        int expected = ExpectedDetections("yolo11");
        var rows = Rows("--weights", Weights("yolo11", "yolo11t.pt"), "--methods", "gradcam", "--regions", "box");
        var layers = rows.Select(r => r.GetProperty("layer").GetString()!).ToHashSet();
        string[] specs = ["auto", "model.2", "model.4", "model.6", "model.8", "model.9", "model.10", "model.13", "model.16", "model.19",
            "model.22", "fuse:model.4+model.6", "fuse:model.13+model.16", "fuse:model.16+model.19+model.22", "fuse:model.4+model.6+model.10"];
        Assert.Equal(specs.ToHashSet(), layers);
        Assert.Equal(["conf", "logit"], rows.Select(r => r.GetProperty("score").GetString()!).Distinct().Order().ToArray());
        Assert.Equal(specs.Length * 2, rows.Length); // 1 method × the default specs × logit, conf × 1 region
        foreach (var r in rows) AssertMeasured(r, expected);
    }

    [Fact]
    public void Yolov8DefaultLayersFollowItsYaml()
    {
        using var device = Device.OpenCpu();
        using var detector = YoloDetector.LoadAny(device, Weights("yolov8", "yolov8t.pt"));
        Assert.Equal("auto,model.2,model.4,model.6,model.8,model.9,model.12,model.15,model.18,model.21,fuse:model.4+model.6," +
            "fuse:model.12+model.15,fuse:model.15+model.18+model.21,fuse:model.4+model.6+model.9", StudyLayers.For(detector));
    }

    [Fact]
    public void ObjectnessIsRefusedInOneLine()
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "metrics", Bus, "--weights", Weights("yolov8", "yolov8t.pt"),
            "--scores", "logit,obj", "--device", "cpu");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: --scores obj: YOLOv8 has no objectness; use logit (its class logit) or conf (its class probability)",
            Assert.Single(run.ErrorLines));
        Assert.Empty(run.StdOut);
    }
}
