using NativeCam.Tests.Weights;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`nativecam convert` as a user runs it.</summary>
public class ConvertCommandTests
{
    [Fact]
    public void WithoutAnOutputTheWeightFileGoesToTheCurrentFolderNotBesideTheInput()
    {
        using var work = new TempFolder();
        string input = Yolo.YoloFixture.Weights;
        var before = Directory.GetFiles(Path.GetDirectoryName(input)!);
        var run = CliProcess.RunIn(work.Path, "convert", input);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["yolov5n.msgpack"], work.Listing());
        Assert.Equal(before, Directory.GetFiles(Path.GetDirectoryName(input)!));
        Assert.Contains("Why convert", CliProcess.Run("convert", "--help").StdOut);
    }
}
