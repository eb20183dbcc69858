using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Classifiers;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Inception v3 and GoogLeNet (tests/reference/classifiers_inception_reference.py: torchvision 0.14's own classes at
/// narrow widths, non-square inputs, GoogLeNet at a size where ceil_mode changes every max pool's size): the shared
/// checks of <see cref="ClassifierModelTests"/> and <see cref="ClassifierMethodTests"/> (architecture, logits to 1e-4,
/// Grad-CAM raw maps to 1e-3 of scale and final maps to 1e-2 against pytorch-grad-cam 1.5.5, default layer, Grad-CAM
/// element-wise and the original CAM), transform_input on and off, aux heads, bad files.
/// </summary>
public class InceptionModelTests
{
    static Device D => TestDevice.Default;

    public static readonly string[] Names = ["inception_v3_small", "googlenet_small"];

    public static TheoryData<string> Models => new(Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void Architecture_is_inferred_from_keys_and_shapes(string name) => new ClassifierModelTests().Architecture_is_inferred_from_keys_and_shapes(name);

    [Theory]
    [MemberData(nameof(Models))]
    public void Logits_match_torchvision_with_transform_input(string name) => new ClassifierModelTests().Logits_match_torchvision(name);

    [Theory]
    [MemberData(nameof(Models))]
    public void GradCam_matches_pytorch_grad_cam(string name) => new ClassifierModelTests().GradCam_matches_pytorch_grad_cam(name);

    [Theory]
    [MemberData(nameof(Models))]
    public void Default_layer_is_the_one_pytorch_grad_cam_documents(string name) =>
        new ClassifierModelTests().Default_layer_is_the_first_case_pytorch_grad_cam_documents(name);

    [Theory]
    [InlineData("inception_v3_small", "gradcam-elementwise")]
    [InlineData("inception_v3_small", "cam")]
    [InlineData("googlenet_small", "gradcam-elementwise")]
    [InlineData("googlenet_small", "cam")]
    public void Other_methods_match_pytorch_grad_cam(string name, string method) => new ClassifierMethodTests().Method_matches_pytorch_grad_cam(name, method);

    static float[] Logits(ClassifierModel model, FixtureArray input)
    {
        using var x = Tensor.FromArray(D, input.Data.Select(v => (float)v).ToArray(), input.Shape);
        using var tape = new Tape();
        return model.Forward(Var.Input(x)).Value.ToArray();
    }

    static void CloseToScale(float[] actual, double[] expected, string what) =>
        Check.Close(actual, expected, what, 0, 1e-4 * expected.Max(Math.Abs));

    // The state dict does not say whether the weights were trained with transform_input; on is torchvision's
    // pretrained default, off (the API's property, the CLI's --transform-input off) gives transform_input=False's logits.
    [Theory]
    [MemberData(nameof(Models))]
    public void Transform_input_defaults_to_on_and_can_be_turned_off(string name)
    {
        var f = ClassifierFixture.Load(name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClassifierFixture.Folder, name + ".json")));
        Assert.True(doc.RootElement.GetProperty("transform_input").GetBoolean()); // the maps and "logits" are transform_input=True's
        var plain = doc.RootElement.GetProperty("logits_no_transform").GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        var t = Assert.IsAssignableFrom<ITransformInput>(model);
        Assert.True(t.TransformInput);
        CloseToScale(Logits(model, f.Input), f.Logits.Data, $"{name} transform_input=True");
        ClassifierInput.SetTransformInput(model, false);
        Assert.False(t.TransformInput);
        var off = Logits(model, f.Input);
        CloseToScale(off, plain, $"{name} transform_input=False");
        Assert.True(off.Zip(f.Logits.Data).Max(p => Math.Abs(p.First - p.Second)) > 0.01, "transform_input changes the logits");
    }

    [Fact]
    public void Transform_input_is_refused_for_other_families()
    {
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(ClassifierFixture.Load("resnet_basic").Weights));
        ClassifierInput.SetTransformInput(model, null);
        var e = Assert.Throws<ArgumentException>(() => ClassifierInput.SetTransformInput(model, true));
        Assert.Contains("inception_v3 and googlenet only", e.Message);
    }

    static List<KeyValuePair<string, HostTensor>> Tensors(string name) => BadCheckpointTests.Tensors(name);

    // torchvision's inception_v3(weights=..., aux_logits=False) drops AuxLogits (googlenet's default drops aux1/aux2):
    // the same network without them.
    [Theory]
    [InlineData("inception_v3_small", "AuxLogits.")]
    [InlineData("googlenet_small", "aux")]
    public void Aux_heads_are_optional_and_unused(string name, string prefix)
    {
        var f = ClassifierFixture.Load(name);
        var all = Tensors(name);
        Assert.Contains(all, p => p.Key.StartsWith(prefix, StringComparison.Ordinal));
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.FromTensors(all.Where(p => !p.Key.StartsWith(prefix, StringComparison.Ordinal))));
        Assert.Contains("no aux", model.Arch.Description);
        CloseToScale(Logits(model, f.Input), f.Logits.Data, $"{name} without its aux head");
    }

    [Theory]
    [InlineData("inception_v3_small", "inception_v3")]
    [InlineData("googlenet_small", "googlenet")]
    public void The_family_name_is_accepted_as_arch(string name, string arch) =>
        Assert.Equal(arch, ClassifierArch.FamilyName(ClassifierCheckpoint.FromTensors(Tensors(name), arch).Arch.Family));

    // A 1×7 conv stored as 7×1 (the kernel is the class's, checked against the weights), a block's width changed.
    [Theory]
    [InlineData("inception_v3_small", "Mixed_6b.branch7x7_2.conv.weight")]
    [InlineData("googlenet_small", "inception4b.branch2.1.conv.weight")]
    public void A_shape_mismatch_is_named(string name, string key)
    {
        var tensors = Tensors(name).Select(p => p.Key != key ? p
            : KeyValuePair.Create(p.Key, new HostTensor(p.Value.Data, [p.Value.Shape[0], p.Value.Shape[1], p.Value.Shape[3], p.Value.Shape[2]]))).ToList();
        if (name == "googlenet_small")
            tensors = tensors.Select(p => p.Key != key ? p
                : KeyValuePair.Create(p.Key, new HostTensor(new float[p.Value.Length * 2], [p.Value.Shape[0], p.Value.Shape[1] * 2, .. p.Value.Shape[2..]]))).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Build(D, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void A_stray_tensor_is_refused_but_aux_tensors_are_not()
    {
        var tensors = Tensors("googlenet_small").Append(KeyValuePair.Create("aux3.fc.weight", new HostTensor([1f], [1]))).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Build(D, ClassifierCheckpoint.FromTensors(tensors)));
        Assert.Contains("aux3.fc.weight", e.Message);
    }

    // The smallest inputs PyTorch runs (measured with torchvision 0.14): Inception3 75×75, GoogLeNet 15×15.
    [Theory]
    [InlineData("inception_v3_small", 75, "75x75 minimum")]
    [InlineData("googlenet_small", 15, "leave no pixel")]
    public void An_input_below_the_smallest_pytorch_runs_is_refused(string name, int smallest, string message)
    {
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(ClassifierFixture.Load(name).Weights));
        using var ok = Tensor.Zeros(D, 1, 3, smallest, smallest + 7);
        using var small = Tensor.Zeros(D, 1, 3, smallest + 7, smallest - 1);
        using var tape = new Tape();
        Assert.Equal([1, ClassifierFixture.Load(name).Classes], model.Forward(Var.Input(ok)).Shape);
        var e = Assert.Throws<InputTooSmallException>(() => model.Forward(Var.Input(small)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Inception_v3_preprocesses_at_342_299_and_the_others_at_256_224()
    {
        Assert.Equal((342, 299), ClassifierInput.Sizes(ClassifierFamily.InceptionV3));
        Assert.Equal((256, 224), ClassifierInput.Sizes(ClassifierFamily.GoogLeNet));
        Assert.Equal((256, 224), ClassifierInput.Sizes(ClassifierFamily.ResNet));
        // torchvision 0.14's DEFAULT weights' transforms, by builder name; custom layouts take their family's
        Assert.Equal((320, 300), ClassifierInput.Sizes(new ClassifierArch(ClassifierFamily.EfficientNet, "efficientnet_b3", 1000, "")));
        Assert.Equal((255, 240), ClassifierInput.Sizes(new ClassifierArch(ClassifierFamily.EfficientNet, "efficientnet_b1", 1000, "")));
        Assert.Equal((236, 224), ClassifierInput.Sizes(new ClassifierArch(ClassifierFamily.ConvNeXt, "convnext_tiny", 1000, "")));
        Assert.Equal((256, 224), ClassifierInput.Sizes(new ClassifierArch(ClassifierFamily.EfficientNet, "efficientnet (custom)", 10, "")));
        Assert.Equal((342, 299), ClassifierInput.Sizes(new ClassifierArch(ClassifierFamily.InceptionV3, "inception_v3", 1000, "")));
    }
}
