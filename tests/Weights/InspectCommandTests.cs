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

    [Fact]
    public void Help_has_an_example()
    {
        foreach (var command in new[] { "convert", "inspect" })
        {
            var run = CliProcess.Run(command, "--help");
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Example:", run.StdOut);
            Assert.Contains($"nativecam {command} yolov5n", run.StdOut);
        }
    }
}
