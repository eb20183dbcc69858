using System.Text.RegularExpressions;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Tests.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>index.html of folder runs: names escaped (they are hostile input), every link resolves, nothing from the
/// network, written only through the run's staging.</summary>
public class IndexPageTests
{
    static ImageReport Report(string image, string output, string className) => new(image, output, [10, 10], [32, 32], 1, [0, 0], "cpu", "w.pt",
        "layercam", "logit", "box", null, [new DetectionRecord(0, 0, className, 0.9, [1, 2, 3, 4], 0, 0, [0, 0], 1)],
        [new MapRecord(0, "fused", "layercam", "0_x_fused.jpg", "0_x_fused.npy", 0, 1, false, [new MapPart("model.17", "0_x_model.17.npy")], null)],
        [], new Timings(0, 0, 0, 0, 0, 0, 0, 0));

    /// <summary>The links of a page as the browser resolves them: attribute HTML-decoded, then URL-decoded.</summary>
    static List<string> Links(string html) => Regex.Matches(html, "(?:href|src)=\"([^\"]+)\"")
        .Select(m => Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))).ToList();

    [Fact]
    public void HostileNamesAreEscapedInTextAndEncodedInLinks()
    {
        string html = IndexPage.Html("detect-cam", "2 images", [
            IndexEntries.From(Report("<img onerror=x>.jpg", "<img onerror=x>", "<script>alert(2)</script>")),
            IndexEntries.From(Report("a&b.jpg", "a&b", "person")),
            IndexEntries.From(Report("q\"#%?.jpg", "q\"#%?", "person"))]);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img onerror", html);
        Assert.Contains("&lt;img onerror=x&gt;.jpg", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("href=\"%3Cimg%20onerror%3Dx%3E/report.json\"", html);
        Assert.Contains("href=\"a%26b/sheet.jpg\"", html);
        Assert.Contains("a&amp;b.jpg", html);
        Assert.Contains("q\"#%?/0_x_fused.jpg", Links(html));
        Assert.Contains("a&b/0_x_model.17.npy", Links(html)); // a fused map's raw layer maps are linked too
    }

    [Fact]
    public void ThePageLoadsNothingFromTheNetwork()
    {
        string html = IndexPage.Html("detect-cam", "1 image", [IndexEntries.From(Report("bus.jpg", "bus", "person"))]);
        Assert.DoesNotContain("http:", html);
        Assert.DoesNotContain("https:", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'", html);
        Assert.All(Links(html), l => Assert.False(Path.IsPathRooted(l) || l.Contains("..") || l.Contains(':'), $"{l} is not a relative link inside the folder"));
    }

    [Fact]
    public void AnIndexThatNativeCamDidNotWriteIsLeftAloneAndNothingIsLeftBehind()
    {
        string root = Directory.CreateTempSubdirectory("nativecam-index-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "index.html"), "my own page");
            using (var staging = new StagingArea(root))
                Assert.Null(IndexPage.Write(staging, "detect-cam", "1 image", [IndexEntries.From(Report("bus.jpg", "bus", "person"))]));
            Assert.Equal("my own page", File.ReadAllText(Path.Combine(root, "index.html")));
            Assert.Equal(["index.html"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName));

            File.Delete(Path.Combine(root, "index.html"));
            using (var staging = new StagingArea(root))
            {
                Assert.NotNull(IndexPage.Write(staging, "detect-cam", "1 image", [IndexEntries.From(Report("bus.jpg", "bus", "person"))]));
                Assert.NotNull(IndexPage.Write(staging, "detect-cam", "1 image", [IndexEntries.From(Report("bus.jpg", "bus", "person"))])); // its own: replaced
            }
            Assert.True(IndexPage.IsIndex(Path.Combine(root, "index.html")));
            Assert.Equal(["index.html"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName)); // no staging, no temporaries
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void AFolderRunWritesAnIndexWhoseLinksResolveASummaryAndNoProgressWhenStderrIsNotATerminal()
    {
        string root = Directory.CreateTempSubdirectory("nativecam-index-").FullName;
        try
        {
            string images = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
            File.Copy(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg"), Path.Combine(images, "<img onerror=x>.jpg"));
            File.Copy(Path.Combine(YoloFixture.RepoRoot(), "samples", "zidane.jpg"), Path.Combine(images, "a&b.jpg"));
            var run = CliProcess.RunIn(root, TimeSpan.FromMinutes(3), "detect-cam", "in", "--weights", YoloFixture.Weights, "--device", "cpu",
                "--img-size", "320", "--dump-maps");
            Assert.True(run.ExitCode == 0, run.StdErr);
            Assert.Matches(@"(^|\n)2 images, \d+ detections, 0 failed in [\d.]+ s -> nativecam-out/index.html\n$", run.StdErr);
            Assert.DoesNotContain("[1/2]", run.StdErr); // stderr is a pipe here: no progress line
            Assert.DoesNotContain("\u001b", run.StdErr);
            string html = File.ReadAllText(Path.Combine(root, "nativecam-out", "index.html"));
            var links = Links(html);
            Assert.Equal(2, links.Count(l => l.EndsWith("/sheet.jpg", StringComparison.Ordinal)) / 2); // each sheet: a link and the picture
            Assert.Contains(links, l => l.EndsWith(".npy", StringComparison.Ordinal));
            Assert.All(links.Where(l => !l.StartsWith('#')), l => Assert.True(File.Exists(Path.Combine(root, "nativecam-out", l)), $"index.html links to missing {l}"));
            Assert.DoesNotContain("<img onerror", html);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
