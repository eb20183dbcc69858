using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>
/// Legacy (pre-1.6) torch.save files crafted part by part: honest layouts PyTorch 1.13 never writes but
/// older files hold (storage views, Python 2 pickles), then broken and hostile ones, refused through the
/// real CLI with one line and nothing executed.
/// </summary>
public class LegacyCheckpointTests
{
    private static WeightFile Load(byte[] file)
    {
        using var dir = new TempFolder();
        string path = dir.File("legacy.pth");
        File.WriteAllBytes(path, file);
        return WeightFile.Load(path);
    }

    [Fact]
    public void Storage_views_of_pytorch_before_0_4_read_their_slice()
    {
        // One root storage [0..5]; 'a' sees elements 2..4 through the view '1', 'b' the whole root.
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("a").LegacyTensor("FloatStorage", "0", 6, ("1", 2, 3), 0, [3], [1])
            .Str("b").LegacyTensor("FloatStorage", "0", 6, null, 0, [2, 3], [3, 1])
            .SetItems().Stop().ToArray();
        var file = new LegacyBuilder { Object = pickle, Keys = ["0"] }.Storage(6, CheckpointBuilder.Floats(0, 1, 2, 3, 4, 5)).ToArray();

        var w = Load(file);

        Assert.Equal([2f, 3, 4], w["a"].ToFloat32());
        Assert.Equal([0f, 1, 2, 3, 4, 5], w["b"].ToFloat32());
        Assert.Equal(SourceFormats.TorchLegacy, w.Metadata.Source.Format);
    }

    [Fact]
    public void Python2_ordered_dicts_of_key_value_lists_are_read()
    {
        // Python 2's OrderedDict.__reduce__ gave (OrderedDict, ([[key, value], ...],)); keys were byte strings.
        var p = new PickleBuilder().Proto().Global("collections", "OrderedDict").EmptyList().Mark();
        p.EmptyList().Mark().Op('U').Op(1).Op((byte)'w').LegacyTensor("FloatStorage", "0", 2, null, 0, [2], [1]).Appends();
        var pickle = p.Appends().Tuple1().Reduce().Stop().ToArray();
        var file = new LegacyBuilder { Object = pickle, Keys = ["0"] }.Storage(2, CheckpointBuilder.Floats(1.5f, -2)).ToArray();

        Assert.Equal([1.5f, -2], Load(file)["w"].ToFloat32());
    }

    [Fact]
    public void Long_pickles_are_read_past_the_first_window()
    {
        // A 3 MiB string in the checkpoint (think: a module's saved source code) before the tensors.
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("note").Str(new string('x', 3 << 20))
            .Str("model").EmptyDict().Str("w").LegacyTensor("FloatStorage", "0", 1, null, 0, [1], [1]).SetItem()
            .SetItems().Stop().ToArray();
        var file = new LegacyBuilder { Object = pickle, Keys = ["0"] }.Storage(1, CheckpointBuilder.Floats(7)).ToArray();

        Assert.Equal([7f], Load(file)["w"].ToFloat32());
    }

    [Fact]
    public void A_global_name_cut_by_the_first_window_is_read_whole()
    {
        // The GLOBAL of the tensor's rebuild function starts 5 bytes before the reader's first 1 MiB ends.
        var builder = new LegacyBuilder();
        int before = builder.Magic.Length + builder.Version.Length + builder.SysInfo.Length;
        int fixedBytes = 2 + 1 + 1 + (5 + 4) + 5 + (5 + 5) + 1 + (5 + 1); // PROTO, {, MARK, 'note', the pad's header, 'model', {, 'w'
        int pad = (1 << 20) - 5 - before - fixedBytes;
        builder.Object = new PickleBuilder().Proto().EmptyDict().Mark().Str("note").Str(new string('x', pad))
            .Str("model").EmptyDict().Str("w").LegacyTensor("FloatStorage", "0", 1, null, 0, [1], [1]).SetItem()
            .SetItems().Stop().ToArray();
        builder.Keys = ["0"];

        Assert.Equal([3f], Load(builder.Storage(1, CheckpointBuilder.Floats(3)).ToArray())["w"].ToFloat32());
    }

    [Fact]
    public void Truncated_in_the_storages_is_refused()
    {
        var whole = File.ReadAllBytes(FormatsFixture.Path("tiny_legacy.pt"));
        HostileCheckpointTests.ConvertExpectingRefusal(whole[..^100], "(truncated)");
    }

    [Fact]
    public void Truncated_in_the_object_pickle_is_refused()
    {
        var whole = File.ReadAllBytes(FormatsFixture.Path("tiny_legacy.pt"));
        var run = HostileCheckpointTests.ConvertExpectingRefusal(whole[..250], "bad.pt: the object pickle ");
        Assert.Contains("(truncated)", run.StdErr);
    }

    [Fact]
    public void Key_list_naming_more_storages_than_the_pickle_uses_is_refused()
    {
        var file = LegacyBuilder.OneTensor(2, [2], 1, 2);
        file.Keys = ["0", "1"];
        HostileCheckpointTests.ConvertExpectingRefusal(file.Storage(2, CheckpointBuilder.Floats(3, 4)).ToArray(),
            "the storage key list names 2 storages (2 distinct) but the pickle uses 1 (storage count mismatch)");
    }

    [Fact]
    public void Key_list_naming_a_storage_twice_is_refused()
    {
        var file = LegacyBuilder.OneTensor(2, [2], 1, 2);
        file.Keys = ["0", "0"];
        HostileCheckpointTests.ConvertExpectingRefusal(file.ToArray(), "(storage count mismatch)");
    }

    [Fact]
    public void Element_count_in_the_file_differing_from_the_pickle_is_refused()
    {
        var file = LegacyBuilder.OneTensor(2, [2], 1, 2);
        file.Storages[0] = (3, CheckpointBuilder.Floats(1, 2, 3));
        HostileCheckpointTests.ConvertExpectingRefusal(file.ToArray(), "storage '0' holds 3 elements in the file but the pickle says 2");
    }

    [Fact]
    public void Storage_size_beyond_the_file_is_refused_before_allocating()
    {
        var file = LegacyBuilder.OneTensor(1L << 60, [2], 1, 2);
        HostileCheckpointTests.ConvertExpectingRefusal(file.ToArray(), "declares 1152921504606846976 elements of float32, more than the whole");
    }

    [Fact]
    public void Storage_view_outside_its_storage_is_refused()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("a").LegacyTensor("FloatStorage", "0", 2, ("1", 1, 5), 0, [1], [1]).SetItem().Stop().ToArray();
        var file = new LegacyBuilder { Object = pickle, Keys = ["0"] }.Storage(2, CheckpointBuilder.Floats(1, 2)).ToArray();
        HostileCheckpointTests.ConvertExpectingRefusal(file, "storage view '1' (5 elements from 1) lies outside storage '0' of 2 elements");
    }

    [Fact]
    public void A_pickle_that_is_not_a_torch_file_is_refused()
    {
        var file = new LegacyBuilder { Magic = new PickleBuilder().Proto().Int(12345).Stop().ToArray() }.ToArray();
        HostileCheckpointTests.ConvertExpectingRefusal(file, "bad.pt is a pickle but not a torch.save file (no magic number)");
    }

    [Fact]
    public void A_string_claiming_terabytes_is_refused_without_reading_them()
    {
        // BINUNICODE8 with a length of 2^40: the reader must not try to widen its window to it.
        byte[] claim = [0x80, 0x02, 0x8d, 0, 0, 0, 0, 0, 1, 0, 0];
        var file = new LegacyBuilder { Object = claim }.ToArray();
        HostileCheckpointTests.ConvertExpectingRefusal(file, "bad.pt: the object pickle ends in the middle of a value (truncated)");
    }

    [Fact]
    public void Os_system_in_the_object_pickle_is_refused_and_not_run()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");
        var payload = new PickleBuilder().Proto().Global("os", "system").Str($"touch {marker}").Tuple1().Reduce().Stop().ToArray();

        HostileCheckpointTests.ConvertExpectingRefusal(new LegacyBuilder { Object = payload }.ToArray(), "refused to call os.system from checkpoint");

        Assert.False(File.Exists(marker), "the payload ran");
    }

    [Fact]
    public void Os_system_in_a_header_pickle_is_refused_and_not_run()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");
        var payload = new PickleBuilder().Proto().Global("os", "system").Str($"touch {marker}").Tuple1().Reduce().Stop().ToArray();

        HostileCheckpointTests.ConvertExpectingRefusal(new LegacyBuilder { SysInfo = payload }.ToArray(), "refused to call os.system from checkpoint");

        Assert.False(File.Exists(marker), "the payload ran");
    }
}
