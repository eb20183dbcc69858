using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>detect, detect-cam and layers on the tiny torchvision RetinaNet file: the family is read from the file.</summary>
public sealed class RetinaCliTests
{
    [Fact]
    public void DetectCamWritesOverlaysSheetReportAndMaps()
    {
        string output = Path.Combine(Path.GetTempPath(), "nativecam-retina-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect-cam", DetectorFixture.Bus, "--weights", RetinaFixture.StateDict,
                "--max-det", "3", "--img-size", "320", "--method", "gradcam", "--score", "prob", "--dump-maps", "--out", output, "--device", "cpu");
            Assert.True(run.ExitCode == 0, run.ToString());
            string folder = Path.Combine(output, "bus");
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var root = report.RootElement;
            Assert.Equal("prob", root.GetProperty("score").GetString());
            Assert.Equal("retinanet (custom ResNet-FPN)", root.GetProperty("family").GetString());
            var dets = root.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(RetinaFixture.Ints("anchor").Take(3), dets.Select(d => d.GetProperty("anchor").GetInt32()));
            var maps = root.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(3, maps.Length); // auto: each detection at its own level only
            foreach (var m in maps)
            {
                Assert.Equal("backbone.fpn.layer_blocks.0.0", m.GetProperty("layer").GetString()); // the first three boxes are P3's
                Assert.True(File.Exists(Path.Combine(folder, m.GetProperty("file").GetString()!)));
                Assert.True(File.Exists(Path.Combine(folder, m.GetProperty("raw").GetString()!)));
                Assert.False(m.GetProperty("empty").GetBoolean());
            }
            Assert.True(new FileInfo(Path.Combine(folder, "sheet.jpg")).Length > 0);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void DetectPrintsTorchvisionsDetections()
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect", DetectorFixture.Bus, "--weights", RetinaFixture.StateDict,
            "--max-det", "5", "--img-size", "320", "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var dets = doc.RootElement.EnumerateArray().Single().GetProperty("detections").EnumerateArray().ToArray();
        Assert.Equal(RetinaFixture.Ints("labels").Take(5), dets.Select(d => d.GetProperty("label").GetInt32()));
        var scores = RetinaFixture.Data("scores");
        for (int i = 0; i < 5; i++) Assert.Equal(scores[i], dets[i].GetProperty("score").GetDouble(), 1e-4);
    }

    [Fact]
    public void LayersListsTheModulePaths()
    {
        var run = CliProcess.Run("layers", RetinaFixture.StateDict, "--json", "--img-size", "64", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("backbone.body.layer4", names);
        Assert.Contains("backbone.fpn.layer_blocks.2.0", names);
        Assert.Contains("backbone.fpn.extra_blocks.p7", names);
        Assert.Contains("head.classification_head.cls_logits", names);
        Assert.DoesNotContain("backbone.fpn.pool", names);
    }

    [Theory]
    [InlineData("--score", "obj", "no objectness")]
    [InlineData("--layer", "backbone.nothing", "no layer named backbone.nothing")]
    [InlineData("--target-mode", "sum-class", "--target-mode sum-class: not available for RetinaNet yet")]
    public void BadOptionsAreOneLineErrors(string flag, string value, string message)
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect-cam", DetectorFixture.Bus, "--weights", RetinaFixture.StateDict,
            "--max-det", "1", "--img-size", "128", flag, value, "--out", Path.GetTempPath(), "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains(message, run.StdErr);
    }
}
