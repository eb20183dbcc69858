using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`nativecam detect` as a user runs it: the real process, its output and exit codes.</summary>
public class DetectCommandTests
{
    static string Sample(string file) => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", file);

    [Fact]
    public void DetectsOnTheBundledSampleWithTheBundledModel()
    {
        var run = CliProcess.RunIn(Yolo.YoloFixture.RepoRoot(), TimeSpan.FromMinutes(3), "detect", Sample("bus.jpg"), "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var report = doc.RootElement.EnumerateArray().Single();
        Assert.Equal("bus.jpg", report.GetProperty("image").GetString());
        var names = report.GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("class_name").GetString()).ToList();
        Assert.Equal(4, names.Count(n => n == "person"));
        Assert.Equal(1, names.Count(n => n == "bus"));
    }

    [Fact]
    public void TensorInputBypassesDecodingAndLetterbox()
    {
        var input = Path.Combine(Fixtures.Folder, "yolo", "yolov5n_input.npy");
        var run = CliProcess.RunIn(Yolo.YoloFixture.RepoRoot(), TimeSpan.FromMinutes(3), "detect", "--tensor", input, "--json", "--conf", "0.5");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var report = doc.RootElement.EnumerateArray().Single();
        Assert.Equal(new[] { 160, 128 }, report.GetProperty("input_hw").EnumerateArray().Select(v => v.GetInt32()));
        Assert.All(report.GetProperty("detections").EnumerateArray(), d => Assert.True(d.GetProperty("confidence").GetDouble() > 0.5));
    }

    [Theory]
    [InlineData("no such file: missing.jpg", "detect", "missing.jpg")]
    [InlineData("is not a .npy file", "detect", "--tensor", "SAMPLE:bus.jpg")]
    [InlineData("--img-size must be a multiple of 32", "detect", "SAMPLE:bus.jpg", "--img-size", "100")]
    [InlineData("confidence threshold 1.5 is not in [0, 1]", "detect", "SAMPLE:bus.jpg", "--conf", "1.5")]
    [InlineData("is not a weight file NativeCam reads", "detect", "SAMPLE:bus.jpg", "--weights", "SAMPLE:zidane.jpg")]
    [InlineData("unknown device 'tpu'", "detect", "SAMPLE:bus.jpg", "--device", "tpu")]
    [InlineData("unknown option --bogus", "detect", "SAMPLE:bus.jpg", "--bogus")]
    public void BadInputIsOneLineAndExitCodeTwo(string message, params string[] args)
    {
        var run = CliProcess.Run(args.Select(a => a.StartsWith("SAMPLE:") ? Sample(a[7..]) : a).ToArray());
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void ANonImageFileIsReportedWithItsName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.jpg");
        File.WriteAllText(path, "not a picture");
        try
        {
            var run = CliProcess.Run("detect", path);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(Path.GetFileName(path), Assert.Single(run.ErrorLines));
        }
        finally { File.Delete(path); }
    }
}
