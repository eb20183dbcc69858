using System.Text.Json;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>classify-cam end to end on the small EfficientNet and ConvNeXt fixtures: default layer, methods, and a
/// wrong --arch as one line with exit 2.</summary>
public class ClassifyEffnetCommandTests
{
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
    static string Weights(string name) => Path.Combine(ClassifierFixture.Folder, name + ".pt");

    [Theory]
    [InlineData("efficientnet_small", "cam,gradcam", "auto", "features.8")]
    [InlineData("convnext_small_cfg", "gradcam,gradcam-elementwise", "auto,features.5", "features.7")]
    public void Classify_cam_explains_at_the_default_layer(string name, string methods, string layers, string defaultLayer)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights(name), "--method", methods, "--layer", layers,
                "--size", "64", "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bus", "report.json")));
            var maps = doc.RootElement.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(methods.Split(',').Length * layers.Split(',').Length, maps.Length);
            Assert.Contains(maps, m => m.GetProperty("layer").GetString() == defaultLayer);
            Assert.All(maps, m => Assert.True(File.Exists(Path.Combine(dir, "bus", m.GetProperty("file").GetString()!))));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("efficientnet_small", "efficientnet_b0", "not efficientnet_b0")]
    [InlineData("convnext_small_cfg", "convnext_tiny", "not convnext_tiny")]
    public void A_wrong_arch_is_one_line_and_exit_2(string name, string arch, string message)
    {
        var r = CliProcess.Run("classify", Bus, "--weights", Weights(name), "--arch", arch, "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }
}
