using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Classifiers;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// EfficientNet and ConvNeXt beyond the shared fixture tests (ClassifierModelTests, ClassifierMethodTests run
/// efficientnet_small and convnext_small_cfg): the key layouts of torchvision's real efficientnet_b0…b7 and
/// convnext_tiny/small/base/large (tests/fixtures/classifiers/arch_layouts.json, key → shape only, from
/// tests/reference/classifiers_effnet_reference.py) inferred as those names with their BatchNorm eps, two of them built
/// and run at full size, and bad files as one-line errors.
/// </summary>
public class EfficientNetConvNeXtTests
{
    static Device D => TestDevice.Default;

    static Dictionary<string, int[]> Layout(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClassifierFixture.Folder, "arch_layouts.json")));
        return doc.RootElement.GetProperty("layouts").GetProperty(name).EnumerateArray()
            .ToDictionary(e => e[0].GetString()!, e => e[1].EnumerateArray().Select(d => d.GetInt32()).ToArray(), StringComparer.Ordinal);
    }

    static List<KeyValuePair<string, HostTensor>> Tensors(string name) => BadCheckpointTests.Tensors(name);

    [Theory]
    [InlineData("efficientnet_b0", "0.00001")]
    [InlineData("efficientnet_b1", "0.00001")]
    [InlineData("efficientnet_b2", "0.00001")]
    [InlineData("efficientnet_b3", "0.00001")]
    [InlineData("efficientnet_b4", "0.00001")]
    [InlineData("efficientnet_b5", "0.001")]
    [InlineData("efficientnet_b6", "0.001")]
    [InlineData("efficientnet_b7", "0.001")]
    [InlineData("convnext_tiny", null)]
    [InlineData("convnext_small", null)]
    [InlineData("convnext_base", null)]
    [InlineData("convnext_large", null)]
    public void Torchvision_layouts_are_inferred_by_name(string name, string? eps)
    {
        var arch = ArchInference.Infer(Layout(name));
        Assert.Equal(name, arch.Name);
        Assert.Equal(1000, arch.Classes);
        Assert.Equal(ClassifierArch.KnownNames[name], arch.Family);
        if (eps != null) Assert.EndsWith($"BatchNorm eps {eps}", arch.Description);
        ArchInference.Check(arch, name);
        ArchInference.Check(arch, ClassifierArch.FamilyName(arch.Family));
    }

    /// <summary>Every tensor of the real layout taken with its shape, and a forward to 1000 finite logits (weights:
    /// a smooth deterministic pattern, running variances 1).</summary>
    [Theory]
    [InlineData("efficientnet_b0", 64, "features.8")]
    [InlineData("convnext_tiny", 32, "features.7")]
    public void A_full_size_layout_builds_and_runs(string name, int size, string defaultLayer)
    {
        var tensors = Layout(name).Select(p =>
        {
            int n = p.Value.Aggregate(1, (a, d) => a * d);
            var data = new float[n];
            bool variance = p.Key.EndsWith("running_var", StringComparison.Ordinal);
            for (int i = 0; i < n; i++) data[i] = variance ? 1f : 0.02f * MathF.Sin(0.37f * i + p.Key.Length);
            return KeyValuePair.Create(p.Key, new HostTensor(data, p.Value));
        });
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.FromTensors(tensors));
        Assert.Equal(defaultLayer, model.DefaultLayer);
        using var x = Tensor.FromArray(D, Enumerable.Range(0, 3 * size * size).Select(i => MathF.Cos(i * 0.1f)).ToArray(), [1, 3, size, size]);
        using var tape = new Tape();
        var logits = model.Forward(Var.Input(x));
        Assert.Equal([1, 1000], logits.Shape);
        Assert.All(logits.Value.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void An_efficientnet_with_a_stage_missing_says_strides_are_not_in_the_file()
    {
        var tensors = Tensors("efficientnet_small").Where(p => !p.Key.StartsWith("features.7.", StringComparison.Ordinal)).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.FromTensors(tensors));
        Assert.Contains("6 stages", e.Message);
    }

    [Fact]
    public void A_block_without_squeeze_excitation_is_refused_as_efficientnet_v2()
    {
        var tensors = Tensors("efficientnet_small").Where(p => !p.Key.StartsWith("features.3.0.block.2.", StringComparison.Ordinal)).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.FromTensors(tensors));
        Assert.Contains("efficientnet_v2", e.Message);
    }

    [Fact]
    public void An_unused_tensor_is_refused()
    {
        var tensors = Tensors("convnext_small_cfg").Append(KeyValuePair.Create("features.1.0.gamma", new HostTensor([1f], [1]))).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Build(D, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.Contains("features.1.0.gamma", e.Message);
    }
}
