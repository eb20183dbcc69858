using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Vit;
using Xunit;

namespace NativeCam.Tests.Vit;

/// <summary>
/// The small seeded ViT of tests/reference/vit_reference.py (image 32, patch 8, depth 2, heads 2, hidden 16,
/// MLP 32, 5 classes, batch 2) loaded from its timm and torchvision state dicts: logits, attention probabilities,
/// and the gradients of two class logits (K = 2 in one sweep) at blocks.1.norm1 and at every layer's attention
/// probabilities, against PyTorch in float64. Tolerance: 1e-4 relative to each tensor's largest magnitude
/// (float32 through a dozen layers; the reference is exact).
/// </summary>
public class VitModelTests
{
    static Device D => TestDevice.Default;
    static VitFixture F => VitFixture.Small;

    static void CloseToScale(float[] actual, FixtureArray expected, string what, double rel = 1e-4)
    {
        double scale = expected.Data.Max(Math.Abs);
        Check.Close(actual, expected.Data, what, rel, rel * scale);
    }

    static Tensor InputTensor() => Tensor.FromArray(D, F.Input.Data.Select(v => (float)v).ToArray(), F.Input.Shape);

    /// <summary>Seeds [K, B, classes]: target k is the sum over the batch of class Targets[k]'s logit.</summary>
    static Tensor Seeds(Var logits, int[] targets)
    {
        int b = logits.Shape[0], classes = logits.Shape[1];
        var seed = new float[targets.Length * b * classes];
        for (int k = 0; k < targets.Length; k++)
            for (int i = 0; i < b; i++) seed[(k * b + i) * classes + targets[k]] = 1f;
        return Tensor.FromArray(D, seed, targets.Length, b, classes);
    }

    public static TheoryData<string> Layouts => new() { "timm", "torchvision" };

    static VitCheckpoint Load(string layout) =>
        VitCheckpoint.Load(layout == "timm" ? VitFixture.Timm : VitFixture.Torchvision, heads: F.ConfigInt("heads"));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Config_is_inferred_from_the_tensor_shapes(string layout)
    {
        var checkpoint = Load(layout);

        Assert.Equal(layout == "timm" ? VitLayout.Timm : VitLayout.Torchvision, checkpoint.Layout);
        Assert.Equal(new VitConfig(F.ConfigInt("image"), F.ConfigInt("patch"), F.ConfigInt("depth"), F.ConfigInt("heads"),
            F.ConfigInt("hidden"), F.ConfigInt("mlp"), F.ConfigInt("classes"), 1e-6), checkpoint.Config);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Forward_and_K_target_backward_match_PyTorch(string layout)
    {
        using var model = VitModel.Build(D, Load(layout));
        using var x = InputTensor();
        using var tape = new Tape();
        var watched = model.AttentionNames.Append("blocks.1.norm1").ToArray();
        tape.Watch(watched);

        var logits = model.Forward(Var.Input(x));

        Assert.Equal(F.Logits.Shape, logits.Shape);
        CloseToScale(logits.Value.ToArray(), F.Logits, "logits");
        foreach (var name in model.AttentionNames)
        {
            var p = tape.Find(name)!;
            Assert.Equal(F.Activations[name].Shape, p.Shape);
            CloseToScale(p.Value.ToArray(), F.Activations[name], name);
        }

        using var seeds = Seeds(logits, F.Targets);
        tape.Backward(logits, seeds);
        foreach (var name in watched)
        {
            var grad = tape.Find(name)!.Grad!;
            Assert.Equal(F.Grads[name].Shape, grad.Shape);
            CloseToScale(grad.ToArray(), F.Grads[name], $"d logits / d {name}");
        }
    }

    [Fact]
    public void Both_layouts_give_identical_outputs_and_canonical_names()
    {
        var results = new List<(float[] Logits, float[] Grad, string[] Names)>();
        foreach (var layout in new[] { "timm", "torchvision" })
        {
            using var model = VitModel.Build(D, Load(layout));
            using var x = InputTensor();
            using var tape = new Tape();
            tape.Watch("blocks.0.norm1");
            var logits = model.Forward(Var.Input(x));
            using var seeds = Seeds(logits, F.Targets);
            tape.Backward(logits, seeds);
            results.Add((logits.Value.ToArray(), tape.Find("blocks.0.norm1")!.Grad!.ToArray(), tape.NamingOrder.ToArray()));
        }

        Assert.Equal(results[0].Logits, results[1].Logits);
        Assert.Equal(results[0].Grad, results[1].Grad);
        Assert.Equal(results[0].Names, results[1].Names);
        string[] expected =
        [
            "patch_embed.proj", "patch_embed", "pos_drop",
            "blocks.0.norm1", "blocks.0.attn.qkv", "blocks.0.attn.attn_drop", "blocks.0.attn.proj", "blocks.0.attn",
            "blocks.0.norm2", "blocks.0.mlp.fc1", "blocks.0.mlp.act", "blocks.0.mlp.fc2", "blocks.0.mlp", "blocks.0",
            "blocks.1.norm1", "blocks.1.attn.qkv", "blocks.1.attn.attn_drop", "blocks.1.attn.proj", "blocks.1.attn",
            "blocks.1.norm2", "blocks.1.mlp.fc1", "blocks.1.mlp.act", "blocks.1.mlp.fc2", "blocks.1.mlp", "blocks.1",
            "norm", "head",
        ];
        Assert.Equal(expected, results[0].Names);
    }

    [Fact]
    public void One_K2_sweep_equals_two_single_target_sweeps()
    {
        using var model = VitModel.Build(D, Load("timm"));
        using var x = InputTensor();
        var names = model.AttentionNames.Append("blocks.1.norm1").ToArray();

        Dictionary<string, float[]> Sweep(int[] targets)
        {
            using var tape = new Tape();
            tape.Watch(names);
            var logits = model.Forward(Var.Input(x));
            using var seeds = Seeds(logits, targets);
            tape.Backward(logits, seeds);
            return names.ToDictionary(n => n, n => tape.Find(n)!.Grad!.ToArray());
        }

        var both = Sweep(F.Targets);
        var first = Sweep([F.Targets[0]]);
        var second = Sweep([F.Targets[1]]);
        foreach (var n in names)
            Check.Close(both[n], [.. first[n], .. second[n]], n, 1e-6, 1e-6);
    }

    [Fact]
    public void Torchvision_keys_map_to_timm_names()
    {
        Assert.Equal("blocks.3.attn.qkv.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_3.self_attention.in_proj_weight"));
        Assert.Equal("blocks.3.attn.qkv.bias", VitCheckpoint.TimmName("encoder.layers.encoder_layer_3.self_attention.in_proj_bias"));
        Assert.Equal("blocks.11.attn.proj.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_11.self_attention.out_proj.weight"));
        Assert.Equal("blocks.0.norm1.bias", VitCheckpoint.TimmName("encoder.layers.encoder_layer_0.ln_1.bias"));
        Assert.Equal("blocks.0.norm2.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_0.ln_2.weight"));
        Assert.Equal("blocks.2.mlp.fc1.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_2.mlp.0.weight"));
        Assert.Equal("blocks.2.mlp.fc2.bias", VitCheckpoint.TimmName("encoder.layers.encoder_layer_2.mlp.3.bias"));
        Assert.Equal("blocks.2.mlp.fc1.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_2.mlp.linear_1.weight"));
        Assert.Equal("blocks.2.mlp.fc2.weight", VitCheckpoint.TimmName("encoder.layers.encoder_layer_2.mlp.linear_2.weight"));
        Assert.Equal("patch_embed.proj.weight", VitCheckpoint.TimmName("conv_proj.weight"));
        Assert.Equal("cls_token", VitCheckpoint.TimmName("class_token"));
        Assert.Equal("pos_embed", VitCheckpoint.TimmName("encoder.pos_embedding"));
        Assert.Equal("norm.bias", VitCheckpoint.TimmName("encoder.ln.bias"));
        Assert.Equal("head.weight", VitCheckpoint.TimmName("heads.head.weight"));
        Assert.Equal("heads.pre_logits.weight", VitCheckpoint.TimmName("heads.pre_logits.weight"));
    }

    static Dictionary<string, int[]> B16Shapes(int hidden) => new()
    {
        ["patch_embed.proj.weight"] = [hidden, 3, 16, 16],
        ["pos_embed"] = [1, 197, hidden],
        ["blocks.0.norm1.weight"] = [hidden],
        ["blocks.1.norm1.weight"] = [hidden],
        ["blocks.0.mlp.fc1.weight"] = [4 * hidden, hidden],
        ["head.weight"] = [1000, hidden],
    };

    [Fact]
    public void Heads_default_to_12_for_ViT_B_and_are_required_otherwise()
    {
        Assert.Equal(new VitConfig(224, 16, 2, 12, 768, 3072, 1000), VitConfig.Infer(B16Shapes(768)));
        Assert.Equal(6, VitConfig.Infer(B16Shapes(384), heads: 6).Heads);
        var e = Assert.Throws<InvalidDataException>(() => VitConfig.Infer(B16Shapes(384)));
        Assert.Contains("attention heads", e.Message);
        Assert.Throws<InvalidDataException>(() => VitConfig.Infer(B16Shapes(384), heads: 5));
        Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(VitFixture.Timm));
    }

    [Fact]
    public void Checkpoint_with_tensors_the_model_does_not_run_is_refused()
    {
        var file = NativeCam.Weights.WeightFile.Load(VitFixture.Torchvision);
        var tensors = file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape)))
            .Append(KeyValuePair.Create("heads.pre_logits.weight", new HostTensor(new float[16 * 16], [16, 16])));
        var checkpoint = VitCheckpoint.FromTensors(tensors, VitLayout.Torchvision, heads: 2);

        var e = Assert.Throws<InvalidDataException>(() => VitModel.Build(D, checkpoint));
        Assert.Contains("heads.pre_logits.weight", e.Message);
    }

    [Fact]
    public void Wrong_image_size_is_an_argument_error()
    {
        using var model = VitModel.Build(D, Load("timm"));
        using var x = Tensor.Zeros(D, 1, 3, 24, 24);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Var.Input(x)));
        Assert.Contains("[B, 3, 32, 32]", e.Message);
    }
}

/// <summary>Random-weight ViTs (the benchmark's source of ViT-B/16) build for any configuration and run.</summary>
public class VitRandomWeightsTests
{
    [Fact]
    public void Random_checkpoint_builds_and_gives_finite_logits_of_the_configured_shape()
    {
        var config = new VitConfig(ImageSize: 16, PatchSize: 4, Depth: 3, Heads: 4, Hidden: 32, MlpDim: 64, Classes: 7);
        using var model = VitModel.Build(TestDevice.Default, VitRandomWeights.Checkpoint(config, seed: 3));
        using var x = Tensor.Full(TestDevice.Default, 0.5f, 2, 3, 16, 16);
        using var tape = new Tape();
        tape.Watch(model.AttentionNames.ToArray());

        var logits = model.Forward(Var.Input(x));

        Assert.Equal([2, 7], logits.Shape);
        Assert.All(logits.Value.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(["blocks.0.attn.attn_drop", "blocks.1.attn.attn_drop", "blocks.2.attn.attn_drop"], model.AttentionNames);
        // Each attention row is a probability distribution over the 17 tokens.
        var p = tape.Find("blocks.2.attn.attn_drop")!;
        Assert.Equal([2, 4, 17, 17], p.Shape);
        var rows = p.Value.ToArray().Chunk(17).Select(r => r.Sum()).ToArray();
        Assert.All(rows, s => Assert.Equal(1f, s, 1e-5f));
    }
}

/// <summary>The weight converter's tiny ViT state dicts (tests/fixtures/weights: a torchvision dict wrapped in
/// {"model", "epoch"} with strided views, a timm dict with a bfloat16 position embedding) load and run.</summary>
public class VitTinyCheckpointTests
{
    [Theory]
    [InlineData("vit_torchvision_tiny.pt", VitLayout.Torchvision)]
    [InlineData("vit_timm_tiny.pt", VitLayout.Timm)]
    public void Tiny_state_dicts_load_with_their_config_and_run(string file, VitLayout layout)
    {
        var checkpoint = VitCheckpoint.Load(NativeCam.Tests.Weights.TestPaths.Fixture(file), heads: 2);
        Assert.Equal(layout, checkpoint.Layout);
        Assert.Equal(new VitConfig(8, 4, 2, 2, 8, 16, 3), checkpoint.Config);

        using var model = VitModel.Build(TestDevice.Default, checkpoint);
        using var x = Tensor.Full(TestDevice.Default, 0.25f, 1, 3, 8, 8);
        using var tape = new Tape();
        var logits = model.Forward(Var.Input(x));

        Assert.Equal([1, 3], logits.Shape);
        Assert.All(logits.Value.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
