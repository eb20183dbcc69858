using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>Seeded tiny ViT state dicts saved by the reference script (torchvision and timm key names).</summary>
public class VitCheckpointTests
{
    [Theory]
    [InlineData("vit_torchvision_tiny", ArchitectureKinds.VitTorchvision)]
    [InlineData("vit_timm_tiny", ArchitectureKinds.VitTimm)]
    public void State_dict_converts_bit_exact_including_views_and_non_contiguous_tensors(string stem, string architecture)
    {
        var fixture = TensorFixture.Load(stem + ".fixture.json");
        string checkpoint = TestPaths.Fixture(stem + ".pt");

        var weights = WeightFile.Load(checkpoint);

        fixture.AssertMatches(weights);
        fixture.AssertSourceDTypes(WeightFile.Load(checkpoint, new ConvertOptions { KeepHalf = true }));
        Assert.Equal(architecture, weights.Metadata.Architecture);
        Assert.Empty(weights.Metadata.ClassNames);
    }

    [Fact]
    public void Torchvision_checkpoint_wrapped_in_a_model_key_keeps_its_epoch()
    {
        var weights = WeightFile.Load(TestPaths.Fixture("vit_torchvision_tiny.pt"));

        Assert.Equal(7, weights.Metadata.Epoch);
        Assert.Equal([3, 8], weights["heads.head.weight"].Shape); // saved as a transposed view
    }

    [Fact]
    public void Timm_bfloat16_tensor_widens_to_float32()
    {
        var weights = WeightFile.Load(TestPaths.Fixture("vit_timm_tiny.pt"));
        var half = WeightFile.Load(TestPaths.Fixture("vit_timm_tiny.pt"), new ConvertOptions { KeepHalf = true });

        Assert.Equal(DTypes.Float32, weights["pos_embed"].DType);
        Assert.Equal(DTypes.BFloat16, half["pos_embed"].DType);
        Assert.Equal(half["pos_embed"].ToFloat32(), weights["pos_embed"].ToFloat32());
    }

    [Theory]
    [InlineData("vit_torchvision_tiny")]
    [InlineData("vit_timm_tiny")]
    public void Cli_convert_round_trips_through_the_weight_file(string stem)
    {
        using var dir = new TempFolder();
        string output = dir.File(stem + ".msgpack");

        var run = CliProcess.Run("convert", TestPaths.Fixture(stem + ".pt"), output);

        Assert.True(run.ExitCode == 0, run.ToString());
        TensorFixture.Load(stem + ".fixture.json").AssertMatches(WeightFile.Load(output));
    }
}
