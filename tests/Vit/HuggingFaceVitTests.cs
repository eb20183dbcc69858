using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Cam.Vit;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Vit;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Vit;

/// <summary>
/// Hugging Face ViTForImageClassification folders (google/vit-base-patch16-224's layout: model.safetensors or
/// pytorch_model.bin, config.json, preprocessor_config.json) against tests/reference/vit_hf_reference.py: the small
/// seeded ViT renamed into HF keys, its logits from an HF-named PyTorch module tree written from transformers'
/// modeling_vit.py (transformers is not installed), float64, at layer_norm_eps 1e-12 and 0.5. Logits to 1e-4 of their
/// largest magnitude (float32 against float64, as tests/Vit/VitModelTests.cs); the input transform to one uint8 level.
/// </summary>
public class HuggingFaceVitTests
{
    const string File = "vit/vit_hf.json";
    static string Folder => Path.Combine(VitFixture.Folder, "hf");
    static Device D => TestDevice.Default;

    static float[] Logits(VitCheckpoint checkpoint)
    {
        var input = Fixtures.Case(File, "vit_small_hf").Inputs["input"];
        using var model = VitModel.Build(D, checkpoint);
        using var x = Tensor.FromArray(D, input.Data.Select(v => (float)v).ToArray(), input.Shape);
        using var tape = new Tape();
        return model.Forward(Var.Input(x)).Value.ToArray();
    }

    static void CloseToMax(float[] actual, FixtureArray expected, string what)
    {
        double scale = expected.Data.Max(Math.Abs);
        Check.Close(actual, expected.Data, what, 0, 1e-4 * scale);
    }

    static string TempFolder()
    {
        var d = Path.Combine(Path.GetTempPath(), $"nc-hf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    public void A_Hugging_Face_folder_just_works(string file)
    {
        string path = Path.Combine(Folder, file);
        Assert.Equal(ArchitectureKinds.VitHuggingFace, WeightFile.Load(path).Metadata.Architecture);
        var checkpoint = VitCheckpoint.Load(path); // no heads given: config.json says 2
        Assert.Equal(VitLayout.HuggingFace, checkpoint.Layout);
        Assert.Equal(2, checkpoint.Config.Heads);
        Assert.Equal(1e-12, checkpoint.Config.LayerNormEps);
        Assert.Equal(["label0", "label1", "label2", "label3", "label4"], checkpoint.ClassNames);
        Assert.Equal([0.5f, 0.5f, 0.5f], checkpoint.Input.Mean);
        CloseToMax(Logits(checkpoint), Fixtures.Case(File, "vit_small_hf").Outputs["logits_eps1e-12"], $"{file} logits");
    }

    [Fact]
    public void The_configs_layer_norm_eps_and_normalisation_are_obeyed()
    {
        var dir = TempFolder();
        try
        {
            System.IO.File.Copy(Path.Combine(Folder, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
            var config = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Folder, "config.json"))).RootElement
                .EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
            config["layer_norm_eps"] = 0.5;
            System.IO.File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config));
            System.IO.File.WriteAllText(Path.Combine(dir, "preprocessor_config.json"), """{"image_mean": [0.1, 0.2, 0.3], "image_std": 0.25}""");
            var checkpoint = VitCheckpoint.Load(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(0.5, checkpoint.Config.LayerNormEps);
            Assert.Equal([0.1f, 0.2f, 0.3f], checkpoint.Input.Mean);
            Assert.Equal([0.25f, 0.25f, 0.25f], checkpoint.Input.Std);
            var c = Fixtures.Case(File, "vit_small_hf");
            CloseToMax(Logits(checkpoint), c.Outputs["logits_eps0.5"], "logits at eps 0.5");
            Assert.True(c.Outputs["logits_eps0.5"].Data.Zip(c.Outputs["logits_eps1e-12"].Data, (a, b) => Math.Abs(a - b)).Max() > 0.1,
                "the two eps must give different logits, or the test proves nothing");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Without_its_configs_the_defaults_hold_and_heads_must_be_given()
    {
        var dir = TempFolder();
        try
        {
            string path = Path.Combine(dir, "pytorch_model.bin");
            System.IO.File.Copy(Path.Combine(Folder, "pytorch_model.bin"), path);
            var e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(path));
            Assert.Contains("number of attention heads", e.Message);
            var checkpoint = VitCheckpoint.Load(path, heads: 2);
            Assert.Equal(1e-12, checkpoint.Config.LayerNormEps);                  // ViTConfig's default
            Assert.Equal(VitInput.HuggingFace, checkpoint.Input);                 // ViTImageProcessor's defaults
            Assert.Null(checkpoint.ClassNames);
            CloseToMax(Logits(checkpoint), Fixtures.Case(File, "vit_small_hf").Outputs["logits_eps1e-12"], "logits without config.json");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Keys_map_onto_the_timm_tree_and_a_file_without_classifier_is_refused()
    {
        Assert.Equal("blocks.3.attn.qkv.weight.q", HuggingFaceVit.TimmName("vit.encoder.layer.3.attention.attention.query.weight"));
        Assert.Equal("blocks.0.attn.proj.bias", HuggingFaceVit.TimmName("vit.encoder.layer.0.attention.output.dense.bias"));
        Assert.Equal("blocks.11.mlp.fc1.weight", HuggingFaceVit.TimmName("vit.encoder.layer.11.intermediate.dense.weight"));
        Assert.Equal("blocks.11.mlp.fc2.weight", HuggingFaceVit.TimmName("vit.encoder.layer.11.output.dense.weight"));
        Assert.Equal("blocks.2.norm2.weight", HuggingFaceVit.TimmName("vit.encoder.layer.2.layernorm_after.weight"));
        Assert.Equal("norm.bias", HuggingFaceVit.TimmName("vit.layernorm.bias"));
        Assert.Equal("head.weight", HuggingFaceVit.TimmName("classifier.weight"));
        Assert.Equal("vit.pooler.dense.weight", HuggingFaceVit.TimmName("vit.pooler.dense.weight")); // unknown: reported by Build
        var headless = WeightFile.Load(Path.Combine(Folder, "model.safetensors")).Tensors
            .Where(t => !t.Name.StartsWith("classifier.", StringComparison.Ordinal))
            .Select(t => KeyValuePair.Create(t.Name, new NativeCam.Layers.HostTensor(t.ToFloat32(), t.Shape)));
        var e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.FromTensors(headless, VitLayout.HuggingFace, heads: 2));
        Assert.Contains("no 'classifier'", e.Message);
    }

    [Fact]
    public void Preprocessing_follows_ViTImageProcessor()
    {
        var (picture, input) = VitPreprocess.Apply(ImageLoader.Load(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "zidane.jpg")), 32, VitInput.HuggingFace);
        Assert.Equal((32, 32), (picture.Height, picture.Width)); // the whole image squeezed, no crop
        var (expected, shape) = Npy.Read(Path.Combine(VitFixture.Folder, "zidane_hf32.npy"));
        Assert.Equal([1, 3, 32, 32], shape);
        // One uint8 level is 1/255/0.5 ≈ 0.0078 (JPEG decoder and PIL's fixed-point rounding).
        double worst = input.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 0.008, $"max difference from ViTImageProcessor's steps {worst}");
    }
}
