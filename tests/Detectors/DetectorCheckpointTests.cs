using NativeCam.Detectors;
using NativeCam.Layers;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>Architecture inference on the full torchvision layouts (shapes only) and one-line refusals of other detectors.</summary>
public sealed class DetectorCheckpointTests
{
    [Fact]
    public void InfersFasterRcnnResnet50FpnFromItsKeys()
    {
        var arch = FasterRcnnArch.Infer(DetectorFixture.Layout("fasterrcnn_resnet50_fpn"));
        Assert.Equal("fasterrcnn_resnet50_fpn", arch.Name);
        Assert.Equal((256, 1024, 91), (arch.FpnChannels, arch.Representation, arch.Classes));
    }

    // The model hub's v1 file predates Conv2dNormActivation: inner_blocks.0.weight, rpn.head.conv.weight.
    [Fact]
    public void ReadsThePre013KeySpelling()
    {
        var layout = DetectorFixture.Layout("fasterrcnn_resnet50_fpn");
        var old = layout.ToDictionary(p => System.Text.RegularExpressions.Regex.Replace(
            p.Key, @"^(backbone\.fpn\.(inner|layer)_blocks\.\d)\.0\.|^(rpn\.head\.conv)\.0\.0\.", m => (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value) + "."), p => p.Value);
        Assert.Contains("backbone.fpn.inner_blocks.0.weight", old.Keys);
        Assert.Contains("rpn.head.conv.weight", old.Keys);
        var canonical = old.ToDictionary(p => FasterRcnnCheckpoint.Canonical(p.Key), p => p.Value);
        Assert.Equal(layout.Keys.Order(), canonical.Keys.Order());
    }

    [Theory]
    [InlineData("fasterrcnn_resnet50_fpn_v2", "Faster R-CNN v2")]
    [InlineData("retinanet_resnet50_fpn", "RetinaNet")]
    public void RefusesOtherDetectorsNamingWhatItFound(string layout, string named)
    {
        var e = Assert.Throws<InvalidDataException>(() => FasterRcnnArch.Infer(DetectorFixture.Layout(layout)));
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void RefusesAClassifier()
    {
        var e = Assert.Throws<InvalidDataException>(() => FasterRcnnCheckpoint.Load(Path.Combine(Fixtures.Folder, "classifiers", "resnet_basic.pt")));
        Assert.Contains("not a torchvision Faster R-CNN state dict", e.Message);
    }

    // A box predictor whose width does not match the box head is a layout error, not a crash.
    [Fact]
    public void RefusesAMismatchedBoxHead()
    {
        var layout = DetectorFixture.Layout("fasterrcnn_resnet50_fpn");
        layout["roi_heads.box_head.fc6.weight"] = [1024, 100];
        var e = Assert.Throws<InvalidDataException>(() => FasterRcnnArch.Infer(layout));
        Assert.Contains("fc6", e.Message);
    }

    // A tensor no module takes means the file is not what its keys made us build: refused, naming it, in one line.
    [Fact]
    public void RefusesAFileWithATensorNoModuleTakes()
    {
        var checkpoint = FasterRcnnCheckpoint.Load(DetectorFixture.StateDict);
        var tensors = checkpoint.Tensors.ToDictionary(p => p.Key, p => p.Value);
        tensors["roi_heads.extra.weight"] = new HostTensor([1f, 2f], [2]);
        var e = Assert.Throws<InvalidDataException>(() => FasterRcnn.Build(TestDevice.Default, checkpoint with { Tensors = tensors }).Dispose());
        Assert.Contains("1 tensor(s) this model does not use: roi_heads.extra.weight", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
