using NativeCam.Detectors;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>RetinaNet architecture inference on torchvision's full layout (shapes only), the model hub's old head spelling, and one-line refusals.</summary>
public sealed class RetinaCheckpointTests
{
    [Fact]
    public void InfersRetinanetResnet50FpnFromItsKeys()
    {
        var arch = RetinaNetArch.Infer(DetectorFixture.Layout("retinanet_resnet50_fpn"));
        Assert.Equal("retinanet_resnet50_fpn", arch.Name);
        Assert.Equal((256, 91, 9), (arch.FpnChannels, arch.Classes, arch.Anchors));
    }

    // Before torchvision 0.13 the head towers were Sequential(conv, relu, …): conv.0/2/4/6.weight, renamed to conv.i.0.
    [Fact]
    public void ReadsTheOldHeadSpelling()
    {
        var layout = DetectorFixture.Layout("retinanet_resnet50_fpn");
        var old = layout.ToDictionary(p => System.Text.RegularExpressions.Regex.Replace(p.Key, @"^(head\.\w+_head\.conv\.)(\d)\.0\.",
            m => m.Groups[1].Value + (2 * int.Parse(m.Groups[2].Value)) + "."), p => p.Value);
        Assert.Contains("head.classification_head.conv.6.weight", old.Keys);
        var canonical = old.ToDictionary(p => RetinaNetCheckpoint.Canonical(p.Key), p => p.Value);
        Assert.Equal(layout.Keys.Order(), canonical.Keys.Order());
    }

    [Fact]
    public void RefusesTheGroupNormHeadOfV2()
    {
        var layout = DetectorFixture.Layout("retinanet_resnet50_fpn");
        layout["head.classification_head.conv.0.1.weight"] = [256];
        var e = Assert.Throws<InvalidDataException>(() => RetinaNetArch.Infer(layout));
        Assert.Contains("RetinaNet v2", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void RefusesAFasterRcnn()
    {
        var e = Assert.Throws<InvalidDataException>(() => RetinaNetCheckpoint.Load(DetectorFixture.StateDict));
        Assert.Contains("not a torchvision RetinaNet state dict", e.Message);
    }
}
