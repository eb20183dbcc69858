using System.Text;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>
/// Hostile and broken files, crafted here, through the real CLI: each must fail with exit code 2,
/// one line naming the problem, no output or temporary file left behind, and nothing executed.
/// </summary>
public class HostileCheckpointTests
{
    /// <summary>Runs `nativecam convert bad.pt out.msgpack` in a folder holding only bad.pt.</summary>
    internal static CliResult ConvertExpectingRefusal(byte[] file, string expectedMessage)
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("bad.pt"), file);

        var run = CliProcess.RunIn(dir.Path, "convert", "bad.pt", "out.msgpack");

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expectedMessage, line);
        Assert.DoesNotContain("   at ", run.StdErr); // no stack trace
        Assert.Equal(["bad.pt"], dir.Listing()); // no output, no temp file
        return run;
    }

    /// <summary>A pickle calling module.name(command) that, if executed, would create the marker file.</summary>
    private static byte[] CallPayload(string module, string name, string argument) =>
        CheckpointBuilder.WithPickle(new PickleBuilder().Proto().Global(module, name).Str(argument).Tuple1().Reduce().Stop().ToArray());

    [Fact]
    public void Os_system_is_refused_and_not_run()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");

        ConvertExpectingRefusal(CallPayload("os", "system", $"touch {marker}"), "refused to call os.system from checkpoint");

        Assert.False(File.Exists(marker), "the payload ran");
    }

    [Fact]
    public void Posix_system_as_pickle_writes_it_on_linux_is_refused()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");

        ConvertExpectingRefusal(CallPayload("posix", "system", $"touch {marker}"), "refused to call posix.system from checkpoint");

        Assert.False(File.Exists(marker), "the payload ran");
    }

    [Fact]
    public void Builtins_eval_is_refused()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");
        string code = $"open('{marker}', 'w')";

        ConvertExpectingRefusal(CallPayload("builtins", "eval", code), "refused to call builtins.eval from checkpoint");

        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Payload_hidden_inside_an_honest_state_dict_is_refused()
    {
        using var witness = new TempFolder();
        string marker = witness.File("pwned");
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("weight").Tensor("FloatStorage", "0", 2, 0, [2], [1])
            .Str("extra").Global("subprocess", "check_call").Str($"touch {marker}").Tuple1().Reduce()
            .SetItems().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1, 2)).Version().ToArray();

        ConvertExpectingRefusal(file, "refused to call subprocess.check_call from checkpoint");

        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Truncated_zip_is_reported()
    {
        var whole = File.ReadAllBytes(TestPaths.Fixture("vit_timm_tiny.pt"));
        ConvertExpectingRefusal(whole[..(whole.Length * 2 / 3)], "is not a readable zip archive (truncated or corrupt");
    }

    [Fact]
    public void Zip_without_data_pkl_is_reported()
    {
        var file = new CheckpointBuilder().Version().Storage("0", new byte[8]).ToArray();
        ConvertExpectingRefusal(file, "bad.pt has no data.pkl: not a PyTorch checkpoint");
    }

    [Fact]
    public void Storage_shorter_than_the_tensor_is_reported()
    {
        // A 2x3 float tensor over a storage of 4 floats.
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 4, 0, [2, 3], [3, 1]).SetItem().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1, 2, 3, 4)).Version().ToArray();
        ConvertExpectingRefusal(file, "needs 6 elements but the storage holds 4 (storage shorter than the tensor)");
    }

    [Fact]
    public void Storage_entry_smaller_than_declared_is_reported()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 6, 0, [6], [1]).SetItem().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1, 2, 3, 4)).Version().ToArray();
        ConvertExpectingRefusal(file, "storage '0' should hold 24 bytes (6 x float32) but its zip entry has 16 (storage size mismatch)");
    }

    [Fact]
    public void Corrupt_storage_bytes_fail_the_crc_check()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 4, 0, [4], [1]).SetItem().Stop().ToArray();
        var storage = CheckpointBuilder.Floats(1, 2, 3, 4);
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", storage).Version().ToArray();
        int at = file.AsSpan().IndexOf(storage);
        file[at + 5] ^= 0xff; // flip bits inside the stored element bytes

        ConvertExpectingRefusal(file, "storage '0' fails its CRC check (corrupt)");
    }

    [Fact]
    public void Absurd_shape_is_reported_without_allocating_it()
    {
        long huge = 1L << 40;
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 4, 0, [huge, huge], [0, 0]).SetItem().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1, 2, 3, 4)).Version().ToArray();
        ConvertExpectingRefusal(file, "is absurdly large");
    }

    [Fact]
    public void Broadcast_view_expanding_a_tiny_storage_is_reported_without_allocating_it()
    {
        // One float seen through stride 0 as 2^28 elements (1 GiB as float32), under 200 names.
        var p = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("t0").Tensor("FloatStorage", "0", 1, 0, [1L << 28], [0]).Put(0);
        for (int i = 1; i < 200; i++) p.Str($"t{i}").Get(0);
        var pickle = p.SetItems().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1)).Version().ToArray();

        ConvertExpectingRefusal(file, "far more than the 4 bytes of storage in the file (hostile?)");
    }

    [Fact]
    public void Unknown_opcode_is_reported()
    {
        var file = CheckpointBuilder.WithPickle([0x80, 0x02, 0xff, (byte)'.']);
        ConvertExpectingRefusal(file, "data.pkl uses unknown pickle opcode 0xff (at byte 2)");
    }

    [Fact]
    public void Truncated_pickle_is_reported()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("epoch").ToArray(); // no SETITEM, no STOP
        ConvertExpectingRefusal(CheckpointBuilder.WithPickle(pickle), "data.pkl ends before its STOP opcode (truncated)");
    }

    [Fact]
    public void Legacy_file_that_stops_after_its_magic_number_is_reported()
    {
        // What torch.save wrote before 1.6 starts with a pickle of the magic number 0x1950a86a20f9469cfc6c; nothing follows here.
        byte[] legacy = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
        ConvertExpectingRefusal(legacy, "bad.pt: the protocol version pickle ends before its STOP opcode (truncated)");
    }

    [Fact]
    public void Not_a_checkpoint_at_all_is_reported()
    {
        ConvertExpectingRefusal(Encoding.ASCII.GetBytes("hello, I am a text file"), "is not a weight file NativeCam reads");
    }

    [Fact]
    public void Checkpoint_without_a_model_is_reported()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("epoch").Int(3).SetItem().Stop().ToArray();
        ConvertExpectingRefusal(CheckpointBuilder.WithPickle(pickle), "holds no model: expected a state_dict or a dict with 'model', 'ema' or 'state_dict' (found keys: epoch)");
    }

    [Fact]
    public void Exponentially_shared_config_is_cut_off()
    {
        // yaml = {'backbone': L40} where L0 = [] and L(i) = [L(i-1), L(i-1)]: 2^40 values if expanded.
        var p = new PickleBuilder().Proto().EmptyDict().Str("model")
            .Global("models.yolo", "Model").EmptyTuple().NewObj().EmptyDict().Mark()
            .Str("_parameters").EmptyDict().Str("w").Tensor("FloatStorage", "0", 1, 0, [1], [1]).SetItem()
            .Str("_modules").EmptyDict()
            .Str("yaml").EmptyDict().Str("backbone").EmptyList().Put(0);
        for (byte i = 1; i <= 40; i++) p.Op('0').EmptyList().Mark().Get((byte)(i - 1)).Get((byte)(i - 1)).Appends().Put(i);
        var pickle = p.SetItem().SetItems().Build().SetItem().Stop().ToArray();
        var file = new CheckpointBuilder().Pickle(pickle).Storage("0", CheckpointBuilder.Floats(1)).Version().ToArray();

        ConvertExpectingRefusal(file, "model config holds more than 1000000 values (hostile?)");
    }

    [Fact]
    public void Exponentially_shared_module_tree_is_cut_off()
    {
        // M0 has one parameter; M(i)._modules = {'a': M(i-1), 'b': M(i-1)}: 2^30 module paths.
        var p = new PickleBuilder().Proto();
        for (byte i = 0; i <= 30; i++)
        {
            p.Global("torch.nn.modules.container", "Sequential").EmptyTuple().NewObj().EmptyDict().Mark()
                .Str("_parameters").EmptyDict();
            if (i == 0) p.Str("w").Tensor("FloatStorage", "0", 1, 0, [1], [1]).SetItem();
            p.Str("_modules").EmptyDict();
            if (i > 0) p.Mark().Str("a").Get((byte)(i - 1)).Str("b").Get((byte)(i - 1)).SetItems();
            p.SetItems().Build().Put(i);
            if (i < 30) p.Op('0');
        }
        var file = new CheckpointBuilder().Pickle(p.Stop().ToArray()).Storage("0", CheckpointBuilder.Floats(1)).Version().ToArray();

        ConvertExpectingRefusal(file, "module tree has more than 1000000 modules (hostile?)");
    }

    [Fact]
    public void Reusing_a_big_container_over_and_over_is_cut_off()
    {
        // A list of 100,000 Nones, then set(that list) called 2,000 times through the memo.
        var p = new PickleBuilder().Proto().EmptyList().Put(0).Mark();
        for (int i = 0; i < 100_000; i++) p.None();
        p.Appends().EmptyList().Mark().Global("__builtin__", "set").Put(1).Op('0');
        for (int i = 0; i < 2_000; i++) p.Get(1).Get(0).Tuple1().Reduce();
        var file = CheckpointBuilder.WithPickle(p.Appends().Stop().ToArray());

        ConvertExpectingRefusal(file, "asks for more copying than a file of its size can need (hostile?)");
    }

    [Fact]
    public void Inspect_refuses_the_same_way()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("bad.pt"), CallPayload("os", "system", "true"));

        var run = CliProcess.RunIn(dir.Path, "inspect", "bad.pt");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: refused to call os.system from checkpoint", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Missing_input_file_is_one_line()
    {
        using var dir = new TempFolder();

        var run = CliProcess.RunIn(dir.Path, "convert", "nope.pt");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: no such file: nope.pt", Assert.Single(run.ErrorLines));
        Assert.Empty(dir.Listing());
    }
}
