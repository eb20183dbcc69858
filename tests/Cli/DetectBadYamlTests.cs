using NativeCam.Tests.Weights;
using NativeCam.Tests.Yolo;
using NativeCam.Weights;
using NativeCam.Weights.Format;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>Issue #23 through the real CLI: yolov5n's weights under a yaml with <c>anchors: []</c> are one error line, exit 2.</summary>
public class DetectBadYamlTests
{
    /// <summary>Writes yolov5n (converted) with its yaml replaced by <paramref name="tree"/>.</summary>
    static void WriteWithYaml(string path, Dictionary<string, object?> tree)
    {
        var file = YoloYamlTree.Checkpoint;
        var m = file.Metadata;
        var meta = new WeightMetadata
        {
            Architecture = m.Architecture, Config = tree, ClassNames = m.ClassNames, Stride = m.Stride, Modules = m.Modules,
            SourceFile = m.SourceFile, SourceSha256 = m.SourceSha256,
        };
        using var stream = File.Create(path);
        var writer = new WeightFileWriter(stream, meta, file.Tensors.Count);
        foreach (var t in file.Tensors) writer.WriteTensor(t.Name, t.DType, t.Shape, t.Data.Span);
        writer.Complete();
    }

    [Fact]
    public void Empty_anchors_are_one_error_line_naming_anchors()
    {
        using var dir = new TempFolder();
        var tree = YoloYamlTree.Fresh();
        tree["anchors"] = new List<object?>();
        WriteWithYaml(dir.File("bad.msgpack"), tree);

        var run = CliProcess.RunIn(dir.Path, "detect", Path.Combine(TestPaths.RepoRoot, "samples", "bus.jpg"), "--weights", "bad.msgpack", "--device", "cpu");

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: bad.msgpack: yaml anchors", line);
        Assert.DoesNotContain("   at ", run.StdErr);
    }
}
