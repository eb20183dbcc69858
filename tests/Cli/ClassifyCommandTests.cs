using System.Text.Json;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>classify and classify-cam end to end on the small fixture models: outputs, report, exit codes.</summary>
public class ClassifyCommandTests
{
    static string Root => Yolo.YoloFixture.RepoRoot();
    static string Bus => Path.Combine(Root, "samples", "bus.jpg");
    static string Weights(string name) => Path.Combine(ClassifierFixture.Folder, name + ".pt");

    [Fact]
    public void Classify_prints_the_top_classes_as_json()
    {
        var r = CliProcess.Run("classify", Bus, "--weights", Weights("vgg_small"), "--top", "3", "--json", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var report = doc.RootElement.EnumerateArray().Single(); // --json is always an array, one report per image
        Assert.Equal(3, report.GetProperty("top").GetArrayLength());
        Assert.Equal("vgg (custom)", report.GetProperty("arch").GetString());
    }

    [Fact]
    public void Classify_cam_writes_one_overlay_per_class_method_and_layer()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights("resnet_basic"), "--top", "2", "--method", "gradcam,hirescam",
                "--layer", "auto,layer3", "--dump-maps", "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bus", "report.json")));
            var maps = doc.RootElement.GetProperty("maps");
            Assert.Equal(2 * 2 * 2, maps.GetArrayLength());
            foreach (var m in maps.EnumerateArray())
            {
                Assert.True(File.Exists(Path.Combine(dir, "bus", m.GetProperty("file").GetString()!)));
                Assert.True(File.Exists(Path.Combine(dir, "bus", m.GetProperty("raw").GetString()!)));
            }
            Assert.True(File.Exists(Path.Combine(dir, "bus", "sheet.jpg")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Classify_cam_over_a_folder_writes_a_class_by_method_sheet_per_image_and_an_index()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            string images = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
            File.Copy(Bus, Path.Combine(images, "bus.jpg"));
            File.Copy(Path.Combine(Root, "samples", "zidane.jpg"), Path.Combine(images, "a&b.jpg"));
            string outDir = Path.Combine(dir, "out");
            var r = CliProcess.Run("classify-cam", images, "--weights", Weights("resnet_basic"), "--top", "2", "--method", "all",
                "--shared-scale", "--out", outDir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Matches(@"(^|\n)2 images, 4 classes, 0 failed in [\d.]+ s -> .*index\.html\n$", r.StdErr);
            Assert.DoesNotContain("[1/2]", r.StdErr);
            string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
            foreach (var name in new[] { "bus", "a&b" })
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, name, "report.json")));
                Assert.Equal(2 * NativeCam.Cli.CamOptions.AllClassifierMethods.Count, doc.RootElement.GetProperty("maps").GetArrayLength()); // classes × methods
                foreach (var m in doc.RootElement.GetProperty("maps").EnumerateArray())
                    Assert.Contains($"href=\"{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(m.GetProperty("file").GetString()!)}\"", html);
                var sheet = NativeCam.Imaging.ImageLoader.Load(Path.Combine(outDir, name, "sheet.jpg"));
                Assert.True(sheet.Width <= 1800);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Classify_cam_runs_the_original_cam_and_grad_cam_element_wise()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights("mobilenet_v2_025"), "--method", "cam,gradcam-elementwise",
                "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bus", "report.json")));
            var files = doc.RootElement.GetProperty("maps").EnumerateArray().Select(m => m.GetProperty("file").GetString()!).ToArray();
            Assert.Equal(2, files.Length);
            Assert.Contains(files, f => f.Contains("_cam_"));
            Assert.Contains(files, f => f.Contains("gradcam-elementwise"));
            var vgg = CliProcess.Run("classify-cam", Bus, "--weights", Weights("vgg_small"), "--method", "cam", "--out", dir, "--device", "cpu");
            Assert.Equal(2, vgg.ExitCode);
            Assert.Contains("global average pool followed by one Linear layer", vgg.StdErr);
            Assert.Single(vgg.StdErr.Trim().Split('\n'));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--arch", "resnet50")]
    [InlineData("--layer", "layer9")]
    [InlineData("--class", "99")]
    [InlineData("--mean", "1,2")]
    public void Bad_input_is_one_line_and_exit_2(string option, string value)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights("densenet_small"), option, value, "--out", dir, "--device", "cpu");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("error: ", r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_non_classifier_checkpoint_is_refused()
    {
        var r = CliProcess.Run("classify", Bus, "--weights", Path.Combine(Root, "samples", "yolov5n.pt"), "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a supported classifier", r.StdErr);
    }
}
