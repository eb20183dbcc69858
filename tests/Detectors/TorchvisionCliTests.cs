using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>layers and detect-cam's one-line errors on the tiny torchvision Faster R-CNN and RetinaNet files: one theory for both families.</summary>
public sealed class TorchvisionCliTests
{
    static string Weights(string family) => family == "retinanet" ? RetinaFixture.StateDict : DetectorFixture.StateDict;

    [Theory]
    [InlineData("frcnn", new[] { "backbone.body.layer4", "backbone.fpn.layer_blocks.0.0", "backbone.fpn.pool", "roi_heads.box_predictor.cls_score" }, new string[0])]
    [InlineData("retinanet", new[] { "backbone.body.layer4", "backbone.fpn.layer_blocks.2.0", "backbone.fpn.extra_blocks.p7", "head.classification_head.cls_logits" },
        new[] { "backbone.fpn.pool" })]
    public void LayersListsTheModulePaths(string family, string[] listed, string[] absent)
    {
        var run = CliProcess.Run("layers", Weights(family), "--json", "--img-size", "64", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        foreach (var name in listed) Assert.Contains(name, names);
        foreach (var name in absent) Assert.DoesNotContain(name, names);
    }

    [Theory]
    [InlineData("frcnn", "--score", "obj", "no objectness")]
    [InlineData("frcnn", "--layer", "backbone.nothing", "no layer named backbone.nothing")]
    [InlineData("frcnn", "--target-mode", "sum-class", "--target-mode sum-class: not available for Faster R-CNN yet")]
    [InlineData("frcnn", "--renormalize", "--alpha=0.3", "--renormalize: not available for Faster R-CNN yet")]
    [InlineData("frcnn", "--method", "fullgrad", "--method fullgrad: not available for Faster R-CNN yet")]
    [InlineData("frcnn", "--smooth-samples", "4", "not available for Faster R-CNN yet")]
    [InlineData("retinanet", "--score", "obj", "no objectness")]
    [InlineData("retinanet", "--layer", "backbone.nothing", "no layer named backbone.nothing")]
    [InlineData("retinanet", "--target-mode", "sum-class", "--target-mode sum-class: not available for RetinaNet yet")]
    public void BadOptionsAreOneLineErrors(string family, string flag, string value, string message)
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(3), "detect-cam", DetectorFixture.Bus, "--weights", Weights(family),
            "--max-det", "1", "--img-size", "128", flag, value, "--out", Path.GetTempPath(), "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains(message, run.StdErr);
    }
}
