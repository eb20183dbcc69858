using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

public class FeaturesCommandTests
{
    [Fact]
    public void WritesAGridOfTheRequestedChannels()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nc-feat-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var output = Path.Combine(dir, "grid.png");
            var run = CliProcess.RunIn(Yolo.YoloFixture.RepoRoot(), TimeSpan.FromMinutes(3), "features",
                Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "zidane.jpg"), "--layer", "model_2", "--count", "9", "--gray", "--output", output, "--img-size", "320");
            Assert.True(run.ExitCode == 0, run.ToString());
            var grid = ImageLoader.Load(output);
            // model.2 of yolov5n at 320x192 input: 80x48 maps, 9 channels in 3x3 tiles, drawn at scale 2.
            Assert.Equal((3 * 48 * 2, 3 * 80 * 2), (grid.Height, grid.Width));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
