using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>The CLI runs the torchvision detectors' tests share: detect-cam and detect on samples/bus.jpg at 320 px.</summary>
static class TorchvisionCli
{
    /// <summary>detect-cam with gradcam, --score prob, --dump-maps and 3 boxes on <paramref name="weights"/>;
    /// asserts it succeeded and hands its bus/ folder and report to <paramref name="check"/>.</summary>
    public static void DetectCam(string weights, string tempPrefix, Action<string, JsonElement> check)
    {
        string output = Path.Combine(Path.GetTempPath(), tempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect-cam", DetectorFixture.Bus, "--weights", weights,
                "--max-det", "3", "--img-size", "320", "--method", "gradcam", "--score", "prob", "--dump-maps", "--out", output, "--device", "cpu");
            Assert.True(run.ExitCode == 0, run.ToString());
            string folder = Path.Combine(output, "bus");
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            check(folder, report.RootElement);
            Assert.True(new FileInfo(Path.Combine(folder, "sheet.jpg")).Length > 0);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Asserts one overlay of a report: its files exist and its map is not empty.</summary>
    public static void AssertMapFiles(string folder, JsonElement map)
    {
        Assert.True(File.Exists(Path.Combine(folder, map.GetProperty("file").GetString()!)));
        Assert.True(File.Exists(Path.Combine(folder, map.GetProperty("raw").GetString()!)));
        Assert.False(map.GetProperty("empty").GetBoolean());
    }

    /// <summary>detect --json with 5 boxes on <paramref name="weights"/>; asserts it succeeded and returns its detections.</summary>
    public static JsonElement[] Detect(string weights)
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect", DetectorFixture.Bus, "--weights", weights,
            "--max-det", "5", "--img-size", "320", "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        return doc.RootElement.EnumerateArray().Single().GetProperty("detections").EnumerateArray().Select(d => d.Clone()).ToArray();
    }
}
