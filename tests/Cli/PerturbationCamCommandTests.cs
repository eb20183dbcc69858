using System.Text.Json;
using NativeCam.Tensors;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>classify-cam --method scorecam,ablationcam end to end on a fixture model: overlays, raw maps and report.json, the
/// same raw maps with --batch 1 and the default batch; detect-cam --method scorecam on YOLOv5; --batch 0 is one line and exit 2.</summary>
public class PerturbationCamCommandTests
{
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
    static string Weights(string name) => Path.Combine(ClassifierFixture.Folder, name + ".pt");

    static (JsonElement[] Maps, float[][] Raw) Run(string dir, params string[] extra)
    {
        var r = CliProcess.Run(["classify-cam", Bus, "--weights", Weights("vgg_small"), "--top", "2", "--method", "scorecam,ablationcam,gradcam",
            "--size", "64", "--dump-maps", "--out", dir, "--device", "cpu", .. extra]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bus", "report.json")));
        var maps = doc.RootElement.GetProperty("maps").EnumerateArray().Select(m => m.Clone()).ToArray();
        foreach (var m in maps) Assert.True(File.Exists(Path.Combine(dir, "bus", m.GetProperty("file").GetString()!)));
        return (maps, maps.Select(m => Npy.Read(Path.Combine(dir, "bus", m.GetProperty("raw").GetString()!)).Data).ToArray());
    }

    [Fact]
    public void Classify_cam_runs_score_cam_and_ablation_cam_and_the_batch_size_does_not_change_their_maps()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-score-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (maps, raw) = Run(Path.Combine(dir, "auto"));
            var (maps1, raw1) = Run(Path.Combine(dir, "one"), "--batch", "1");
            Assert.Equal(6, maps.Length); // 2 classes × (scorecam, ablationcam, gradcam) at features.13
            foreach (var method in new[] { "scorecam", "ablationcam" })
            {
                var perturbed = Enumerable.Range(0, maps.Length).Where(i => maps[i].GetProperty("method").GetString() == method).ToArray();
                Assert.Equal(2, perturbed.Length);
                double scale = perturbed.Max(i => raw[i].Max());
                Assert.True(scale > 0, $"empty {method} maps prove nothing");
                foreach (int i in perturbed)
                {
                    Assert.Equal(maps[i].GetProperty("file").GetString(), maps1[i].GetProperty("file").GetString());
                    Check.Close(raw1[i], raw[i].Select(v => (double)v).ToArray(), $"{method} map {i}", 0, 1e-5 * scale);
                }
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_batch_below_one_is_one_line_and_exit_2()
    {
        var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights("resnet_basic"), "--method", "scorecam", "--batch", "0", "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: --batch must be at least 1", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void Detect_cam_runs_score_cam_on_yolov5()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-score-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("detect-cam", Bus, "--weights", Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "yolov5n.pt"),
                "--method", "scorecam", "--layer", "model.17", "--img-size", "160", "--batch", "32", "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            var report = File.ReadAllText(Directory.GetFiles(dir, "report.json", SearchOption.AllDirectories).Single());
            Assert.Contains("scorecam", report);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Detect_cam_refuses_a_batch_below_one_in_one_line()
    {
        var r = CliProcess.Run("detect-cam", Bus, "--weights", Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "yolov5n.pt"),
            "--method", "ablationcam", "--batch", "0", "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: --batch must be at least 1", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }
}
