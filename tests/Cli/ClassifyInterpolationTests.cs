using System.Text.Json;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>--interpolation: the resize filter changes what the model sees (and so its logits), and a bad value is a
/// one-line error. Which filter each published model uses: PilResizeTests.</summary>
public class ClassifyInterpolationTests
{
    static readonly string Bus = Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
    static readonly string Weights = Path.Combine(ClassifierFixture.Folder, "resnet_basic.pt");

    static double[] Logits(params string[] args)
    {
        var r = CliProcess.Run(["classify", Bus, "--weights", Weights, "--top", "3", "--json", "--device", "cpu", .. args]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement[0].GetProperty("top").EnumerateArray().Select(t => t.GetProperty("logit").GetDouble()).ToArray();
    }

    [Fact]
    public void Bicubic_is_a_different_input_and_bilinear_is_the_default()
    {
        var byDefault = Logits();
        Assert.Equal(byDefault, Logits("--interpolation", "bilinear"));
        Assert.NotEqual(byDefault, Logits("--interpolation", "bicubic"));
    }

    [Fact]
    public void An_unknown_filter_is_one_line_and_exit_2()
    {
        var r = CliProcess.Run("classify", Bus, "--weights", Weights, "--interpolation", "lanczos", "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --interpolation must be bilinear or bicubic, got 'lanczos'", r.StdErr.Trim());
    }
}
