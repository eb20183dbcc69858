using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>`nativecam inspect` on checkpoints and weight files, as tables and as JSON.</summary>
public class InspectCommandTests
{
    [Fact]
    public void Json_lists_every_tensor_with_its_stored_dtype_and_the_metadata()
    {
        var run = CliProcess.Run("inspect", TestPaths.YoloV5n, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var root = doc.RootElement;
        Assert.Equal("pytorch-zip", root.GetProperty("format").GetString());
        Assert.Equal("yolov5", root.GetProperty("metadata").GetProperty("architecture").GetString());
        Assert.Equal(80, root.GetProperty("metadata").GetProperty("class_names").GetArrayLength());
        var tensors = root.GetProperty("tensors");
        Assert.Equal(349, tensors.GetArrayLength());
        var first = tensors[0];
        Assert.Equal("model.0.conv.weight", first.GetProperty("name").GetString());
        Assert.Equal("float16", first.GetProperty("dtype").GetString());
        Assert.Equal([16, 3, 6, 6], first.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Table_shows_tensors_and_metadata_of_a_weight_file()
    {
        using var dir = new TempFolder();
        string output = dir.File("vit.msgpack");
        Assert.Equal(0, CliProcess.Run("convert", TestPaths.Fixture("vit_torchvision_tiny.pt"), output).ExitCode);

        var run = CliProcess.Run("inspect", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("vit-torchvision", run.StdOut);
        Assert.Contains("encoder.pos_embedding", run.StdOut);
        Assert.Contains("[1, 5, 8]", run.StdOut);
        Assert.Contains("float32", run.StdOut);
    }

    [Theory]
    [InlineData("tiny_dataparallel_legacy.pt", "pytorch-legacy", "state_dict", "module.", null, "0.weight")]
    [InlineData("densenet_module_legacy.pt", "pytorch-legacy", null, null, "torchvision.models.densenet.DenseNet", "features.conv0.weight")]
    [InlineData("tiny.safetensors", "safetensors", null, null, null, "0.weight")]
    public void Json_says_how_the_tensors_were_found(string file, string format, string? wrapper, string? prefix, string? module, string first)
    {
        var run = CliProcess.Run("inspect", FormatsFixture.Path(file), "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        Assert.Equal(format, doc.RootElement.GetProperty("format").GetString());
        var source = doc.RootElement.GetProperty("metadata").GetProperty("source");
        Assert.Equal(format, source.GetProperty("format").GetString());
        Assert.Equal(wrapper, source.GetProperty("wrapper_key").GetString());
        Assert.Equal(prefix, source.GetProperty("stripped_prefix").GetString());
        Assert.Equal(module, source.GetProperty("module_class").GetString());
        Assert.Equal(first, doc.RootElement.GetProperty("tensors")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Converted_legacy_file_remembers_its_source_in_the_table()
    {
        using var dir = new TempFolder();
        string output = dir.File("densenet.msgpack");
        var convert = CliProcess.Run("convert", FormatsFixture.Path("densenet_old_names.pth"), output);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.Contains("(pytorch-legacy)", convert.StdOut);

        var run = CliProcess.Run("inspect", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(nativecam)", run.StdOut);
        Assert.Contains("pytorch-legacy", run.StdOut);
        Assert.Contains("20 (old torchvision DenseNet names)", run.StdOut);
    }

    [Fact]
    public void Help_has_an_example()
    {
        foreach (var command in new[] { "convert", "inspect" })
        {
            var run = CliProcess.Run(command, "--help");
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Example:", run.StdOut);
            Assert.Contains($"nativecam {command} samples/yolov5n", run.StdOut); // runs as written from the repository root
        }
    }
}
