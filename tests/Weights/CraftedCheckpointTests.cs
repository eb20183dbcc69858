using System.Buffers.Binary;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>Honest checkpoints crafted byte by byte: strides, offsets, byte order and module trees.</summary>
public class CraftedCheckpointTests
{
    private static WeightFile LoadCrafted(CheckpointBuilder builder)
    {
        using var dir = new TempFolder();
        return WeightFile.Load(builder.WriteTo(dir.File("crafted.pt")));
    }

    private static readonly float[] Six = [0, 1, 2, 3, 4, 5];

    [Fact]
    public void Views_with_offsets_and_strides_are_gathered_in_row_major_order()
    {
        // One storage [0..5] seen as: a 2x3 matrix, its transpose, and the tail [3, 4, 5].
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("m").Tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1])
            .Str("t").Tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 3])
            .Str("tail").Tensor("FloatStorage", "0", 6, 3, [3], [1])
            .Str("scalar").Tensor("FloatStorage", "0", 6, 5, [], [])
            .SetItems().Stop().ToArray();

        var w = LoadCrafted(new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(Six)).Version());

        Assert.Equal(Six, w["m"].ToFloat32());
        Assert.Equal([0f, 3, 1, 4, 2, 5], w["t"].ToFloat32());
        Assert.Equal([3, 2], w["t"].Shape);
        Assert.Equal([3f, 4, 5], w["tail"].ToFloat32());
        Assert.Empty(w["scalar"].Shape);
        Assert.Equal([5f], w["scalar"].ToFloat32());
    }

    [Fact]
    public void Big_endian_checkpoints_are_byte_swapped()
    {
        var big = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(big, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(big.AsSpan(4), -2f);
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 2, 0, [2], [1]).SetItem().Stop().ToArray();

        var w = LoadCrafted(new CheckpointBuilder().Pickle(pickle).Storage("0", big).Version().Entry("archive/byteorder", "big"u8.ToArray()));

        Assert.Equal([1.5f, -2f], w["w"].ToFloat32());
    }

    [Fact]
    public void Module_tree_is_walked_into_state_dict_names_skipping_non_persistent_buffers()
    {
        // {'model': Net(_parameters={'w'}, _buffers={'b', 'tmp' (non-persistent)}, _modules={'0': Child(_parameters={'bias': None, 'k'})})}
        var p = new PickleBuilder().Proto().EmptyDict().Str("model");
        Module(p, "models.yolo", "Model", () =>
        {
            p.Str("_parameters").EmptyDict().Str("w").Tensor("FloatStorage", "0", 6, 0, [2], [1]).SetItem();
            p.Str("_buffers").EmptyDict().Mark()
                .Str("b").Tensor("LongStorage", "1", 1, 0, [], [])
                .Str("tmp").Tensor("FloatStorage", "0", 6, 2, [2], [1])
                .SetItems();
            p.Str("_non_persistent_buffers_set").Global("__builtin__", "set").EmptyList().Str("tmp").Op('a').Tuple1().Reduce();
            p.Str("_modules").EmptyDict().Str("0");
            Module(p, "torch.nn.modules.conv", "Conv2d", () =>
            {
                p.Str("_parameters").EmptyDict().Mark().Str("bias").None().Str("k").Tensor("FloatStorage", "0", 6, 4, [2], [1]).SetItems();
                p.Str("_buffers").EmptyDict();
                p.Str("_modules").EmptyDict();
            });
            p.SetItem();
        });
        var pickle = p.SetItem().Stop().ToArray();
        var longs = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(longs, 42);

        var w = LoadCrafted(new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(Six)).Storage("1", longs).Version());

        Assert.Equal(["w", "b", "0.k"], w.Tensors.Select(t => t.Name));
        Assert.Equal(DTypes.Int64, w["b"].DType);
        Assert.Equal([42f], w["b"].ToFloat32());
        Assert.Equal([4f, 5], w["0.k"].ToFloat32());
        Assert.Equal(ArchitectureKinds.Yolov5, w.Metadata.Architecture);
    }

    [Theory]
    [InlineData("state_dict")]
    [InlineData("model_state_dict")]
    [InlineData("model")]
    public void State_dict_wrapped_in_a_training_checkpoint_is_found(string key)
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("epoch").Int(12)
            .Str("optimizer").None()
            .Str(key).EmptyDict().Str("fc.weight").Tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]).SetItem()
            .SetItems().Stop().ToArray();

        var w = LoadCrafted(new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(Six)).Version());

        Assert.Equal(["fc.weight"], w.Tensors.Select(t => t.Name));
        Assert.Equal(12, w.Metadata.Epoch);
    }

    [Fact]
    public void Ema_is_preferred_over_model_as_yolov5_does()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("model").EmptyDict().Str("from_model").Tensor("FloatStorage", "0", 6, 0, [1], [1]).SetItem()
            .Str("ema").EmptyDict().Str("from_ema").Tensor("FloatStorage", "0", 6, 1, [1], [1]).SetItem()
            .SetItems().Stop().ToArray();

        var w = LoadCrafted(new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(Six)).Version());

        Assert.Equal(["from_ema"], w.Tensors.Select(t => t.Name));
        Assert.Equal([1f], w["from_ema"].ToFloat32());
    }

    [Fact]
    public void Training_checkpoint_with_numpy_extras_converts_and_keeps_them_inert()
    {
        // Saved by the reference script: best_fitness = np.array([0.25]), lr = np.float64(0.01), fp16 state dict under 'model'.
        var fixture = TensorFixture.Load("training_numpy.fixture.json");

        var w = WeightFile.Load(TestPaths.Fixture("training_numpy.pt"));

        fixture.AssertMatches(w);
        Assert.Equal(fixture.Epoch, w.Metadata.Epoch);
    }

    /// <summary>cls.__new__() then BUILD with a dict whose items <paramref name="fill"/> writes (between MARK and SETITEMS).</summary>
    private static void Module(PickleBuilder p, string module, string name, Action fill)
    {
        p.Global(module, name).EmptyTuple().NewObj().EmptyDict().Mark();
        fill();
        p.SetItems().Build();
    }
}
