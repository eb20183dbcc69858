using NativeCam.Classifiers;
using NativeCam.Layers;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>Wrong architecture, missing keys, shape mismatches and unknown layouts are one-line errors, never a wrong network.</summary>
public class BadCheckpointTests
{
    /// <summary>A fixture's state dict as name → tensor, for building altered copies.</summary>
    internal static List<KeyValuePair<string, HostTensor>> Tensors(string name) =>
        WeightFile.Load(ClassifierFixture.Load(name).Weights).Tensors
            .Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))).ToList();

    [Theory]
    [InlineData("resnet_basic", "vgg16", "not vgg16")]
    [InlineData("densenet_small", "resnet", "not resnet")]
    [InlineData("vgg_small", "vgg11_b", "did you mean vgg11_bn?")]
    [InlineData("mobilenet_v2_025", "mobilenetv2", "did you mean mobilenet_v2?")]
    [InlineData("mobilenet_v3_small", "mobilenet_v3_large", "the weights are mobilenet_v3_small")]
    [InlineData("mobilenet_v3_large", "mobilenet_v2", "not mobilenet_v2")]
    [InlineData("squeezenet1_1_small", "squeezenet1_1", "the weights are squeezenet (custom)")]
    [InlineData("alexnet_small", "alexnt", "did you mean alexnet?")]
    [InlineData("alexnet_small", "vgg", "not vgg")]
    [InlineData("efficientnet_small", "efficientnet_b0", "the weights are efficientnet (custom)")]
    [InlineData("efficientnet_small", "convnext", "not convnext")]
    [InlineData("convnext_small_cfg", "resnet", "not resnet")]
    [InlineData("convnext_small_cfg", "convnext_tiny", "the weights are convnext (custom)")]
    [InlineData("convnext_small_cfg", "convnext_tin", "did you mean convnext_tiny?")]
    [InlineData("efficientnet_small", "efficientnet_b", "did you mean efficientnet_b0?")]
    [InlineData("inception_v3_small", "googlenet", "the weights are inception_v3 (custom)")]
    [InlineData("googlenet_small", "inception_v3", "not inception_v3")]
    [InlineData("googlenet_small", "resnet", "not resnet")]
    [InlineData("inception_v3_small", "inceptionv3", "did you mean inception_v3?")]
    [InlineData("googlenet_small", "googlenet_v1", "did you mean googlenet?")]
    public void Wrong_or_unknown_arch_is_refused(string name, string arch, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.FromTensors(Tensors(name), arch));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("resnet_basic", "layer2.0.bn1.running_var")]
    [InlineData("vgg_small_bn", "features.5.bias")]
    [InlineData("densenet_small", "features.denseblock2.denselayer1.norm2.weight")]
    [InlineData("mobilenet_v2_025", "features.5.conv.1.1.running_mean")]
    [InlineData("mobilenet_v3_large", "features.5.block.2.fc2.weight")]
    [InlineData("mobilenet_v3_small", "features.12.1.running_var")]
    [InlineData("shufflenet_small", "stage3.1.branch2.4.weight")]
    [InlineData("squeezenet1_0_small", "features.9.expand3x3.weight")]
    [InlineData("alexnet_small", "classifier.4.weight")]
    [InlineData("efficientnet_small", "features.5.0.block.1.1.running_mean")]
    [InlineData("efficientnet_small", "features.4.1.block.2.fc2.weight")]
    [InlineData("efficientnet_small", "features.8.1.weight")]
    [InlineData("convnext_small_cfg", "features.3.1.layer_scale")]
    [InlineData("convnext_small_cfg", "features.2.0.weight")]
    [InlineData("convnext_small_cfg", "classifier.0.bias")]
    [InlineData("inception_v3_small", "Mixed_6c.branch7x7dbl_4.bn.running_var")]
    [InlineData("inception_v3_small", "Mixed_7b.branch3x3_2b.conv.weight")]
    [InlineData("inception_v3_small", "Conv2d_2b_3x3.bn.weight")]
    [InlineData("googlenet_small", "inception4d.branch3.1.conv.weight")]
    [InlineData("googlenet_small", "inception5a.branch4.1.bn.bias")]
    public void A_missing_tensor_is_named(string name, string key)
    {
        var tensors = Tensors(name).Where(p => p.Key != key).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Build(TestDevice.Default, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.Contains(key, e.Message);
    }

    [Theory]
    [InlineData("resnet_basic", "layer3.0.conv2.weight")]
    [InlineData("vgg_small", "classifier.3.weight")]
    [InlineData("densenet_small", "features.transition1.conv.weight")]
    [InlineData("mobilenet_v3_small", "features.4.block.1.0.weight")]
    [InlineData("squeezenet1_1_small", "features.7.expand1x1.weight")]
    [InlineData("alexnet_small", "features.6.weight")]
    [InlineData("efficientnet_small", "features.6.0.block.1.0.weight")]
    [InlineData("efficientnet_small", "features.3.0.block.2.fc1.weight")]
    [InlineData("convnext_small_cfg", "features.5.0.block.3.weight")]
    [InlineData("convnext_small_cfg", "features.4.1.weight")]
    public void A_shape_mismatch_is_named(string name, string key)
    {
        var tensors = Tensors(name).Select(p => p.Key != key ? p
            : KeyValuePair.Create(p.Key, new HostTensor(new float[p.Value.Length * 2], [p.Value.Shape[0], .. p.Value.Shape[1..].Select((d, i) => i == 0 ? d * 2 : d)]))).ToList();
        var e = Assert.ThrowsAny<Exception>(() => ClassifierModel.Build(TestDevice.Default, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.True(e is InvalidDataException, e.ToString());
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_unknown_layout_names_the_closest_family()
    {
        var tensors = Tensors("resnet_basic").Where(p => !p.Key.StartsWith("fc.", StringComparison.Ordinal)).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.FromTensors(tensors));
        Assert.Contains("closest is resnet", e.Message);
        Assert.Contains("fc.weight", e.Message);
    }

    [Fact]
    public void Extra_tensors_are_refused()
    {
        var tensors = Tensors("vgg_small").Append(KeyValuePair.Create("head.weight", new HostTensor([1f], [1]))).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Build(TestDevice.Default, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.Contains("head.weight", e.Message);
    }

    [Fact]
    public void A_mobilenet_v3_with_a_block_missing_says_so()
    {
        var tensors = Tensors("mobilenet_v3_small").Where(p => !p.Key.StartsWith("features.11.", StringComparison.Ordinal)).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.FromTensors(tensors));
        Assert.Contains("10 inverted residual blocks", e.Message);
    }
}
