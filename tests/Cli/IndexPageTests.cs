using System.Text.RegularExpressions;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Tests.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>detect-cam's index.html for folder runs: names escaped (they are hostile input), every link resolves.</summary>
public class IndexPageTests
{
    static ImageReport Report(string image, string output, string className) => new(image, output, [10, 10], [32, 32], 1, [0, 0], "cpu", "w.pt",
        "layercam", "logit", "box", [new DetectionRecord(0, 0, className, 0.9, [1, 2, 3, 4], 0, 0, [0, 0], 1)],
        [new MapRecord(0, "fused", "layercam", $"0_x_fused.jpg", null, 0, 1, false, [], null)], [], new Timings(0, 0, 0, 0, 0, 0, 0, 0));

    [Fact]
    public void HostileNamesAreEscaped()
    {
        string html = IndexPage.Html([Report("<img src=x onerror=alert(1)>.jpg", "a&b \"q\"", "<script>alert(2)</script>")], 1);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("href=\"a%26b%20%22q%22/report.json\"", html);
        Assert.Contains("1 failed", html);
    }

    [Fact]
    public void AFolderRunWritesAnIndexWhoseLinksResolveAndASummary()
    {
        string root = Directory.CreateTempSubdirectory("nativecam-index-").FullName;
        try
        {
            string images = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
            File.Copy(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg"), Path.Combine(images, "bus.jpg"));
            File.Copy(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg"), Path.Combine(images, "bus & <b>.jpg"));
            var run = CliProcess.RunIn(root, TimeSpan.FromMinutes(3), "detect-cam", "in", "--weights", YoloFixture.Weights, "--device", "cpu", "--img-size", "320");
            Assert.True(run.ExitCode == 0, run.StdErr);
            Assert.Matches(@"2 images, \d+ detections, 0 failed in [\d.]+ s -> ", run.StdErr);
            string html = File.ReadAllText(Path.Combine(root, "nativecam-out", "index.html"));
            var links = Regex.Matches(html, "(?:href|src)=\"([^\"]+)\"").Select(m => Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))).ToList();
            Assert.Contains(links, l => l.EndsWith("sheet.jpg", StringComparison.Ordinal));
            Assert.All(links, l => Assert.True(File.Exists(Path.Combine(root, "nativecam-out", l)), $"index.html links to missing {l}"));
            Assert.DoesNotContain("<b>", html);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
