using System.Diagnostics;
using System.Text.Json;
using NativeCam.Tests.Weights;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>
/// The CLI against hostile and careless input, run as a user runs it (issue #23): odd file names, pipes, devices,
/// bombs, bad flags, Ctrl+C, kill -9, concurrent runs. Every case asserts the exit code, the one-line error, that
/// nothing outside the output folder changed, and that the output folder holds only whole results.
/// </summary>
public class HostileCliTests
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");

    static CliResult DetectCam(string workingDirectory, params string[] args) =>
        CliProcess.RunIn(workingDirectory, Limit, ["detect-cam", .. args, "--out", "out", "--img-size", "320", "--device", "cpu"]);

    /// <summary>Every file under <paramref name="root"/> but out/, with its size and write time.</summary>
    static Dictionary<string, (long, DateTime)> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => !Path.GetRelativePath(root, p).Split('/')[0].Equals("out"))
            .ToDictionary(p => Path.GetRelativePath(root, p), p => (new FileInfo(p).Exists ? new FileInfo(p).Length : -1, File.GetLastWriteTimeUtc(p)));

    /// <summary>The result folders in out/ (no staging left), each whole: its report names every file it holds.</summary>
    static Dictionary<string, JsonElement> WholeResults(string outDir)
    {
        Assert.Equal([], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName).Where(n => n!.StartsWith('.')));
        var results = new Dictionary<string, JsonElement>();
        foreach (var folder in Directory.GetDirectories(outDir))
        {
            var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement;
            var named = report.GetProperty("maps").EnumerateArray().Select(m => m.GetProperty("file").GetString()!)
                .Append("sheet.jpg").Append("report.json").Order().ToArray();
            Assert.Equal(named, Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToArray());
            Assert.Equal(Path.GetFileName(folder), report.GetProperty("output").GetString());
            results[Path.GetFileName(folder)!] = report;
        }
        return results;
    }

    static void AssertOneLineErrors(CliResult run, int count)
    {
        // notes and a folder run's end summary ("N images, D detections, F failed in T s") are not errors
        var errors = run.ErrorLines.Where(l => !l.StartsWith("note: ") && !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+ images, \d+ detections, \d+ failed in ")).ToArray();
        Assert.True(errors.Length == count, run.ToString());
        Assert.All(errors, l => Assert.StartsWith("error: ", l));
        Assert.DoesNotContain("   at ", run.StdErr);
    }


    [Fact]
    public void DotNamesAndControlCharactersStayInsideTheOutputFolder()
    {
        using var t = new TempFolder();
        foreach (var name in new[] { "...jpg", "..jpg", ".jpg", "a\nb.jpg" }) File.Copy(Bus, t.File(name));
        File.WriteAllText(t.File("keep.txt"), "the user's");
        var before = Snapshot(t.Path);

        var run = DetectCam(t.Path, "...jpg", "..jpg", ".jpg", "a\nb.jpg");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(before, Snapshot(t.Path));
        Assert.Equal(["_", "_.", "a_b", "image"], WholeResults(t.File("out")).Keys.Order());
    }

    [Fact]
    public void InputsSharingAStemGetTheirOwnFoldersAndSaySo()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("images"));
        File.Copy(Bus, t.File("images/a.jpg"));
        File.Copy(Bus, t.File("images/a.png")); // the content decides the format, not the name
        File.Copy(Bus, t.File("images/b.jpg"));

        var run = DetectCam(t.Path, "images");

        Assert.True(run.ExitCode == 0, run.ToString());
        var results = WholeResults(t.File("out"));
        Assert.Equal(["a.jpg", "a.png", "b"], results.Keys.Order());
        Assert.Equal("a.png", results["a.png"].GetProperty("image").GetString());
        Assert.Equal(2, run.ErrorLines.Count(l => l.StartsWith("note: ") && l.Contains("another input has the same name")));
    }

    [Fact]
    public void AFolderRunReportsAndSkipsEveryBadImageAndFinishesTheRest()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("images"));
        File.Copy(Bus, t.File("images/1_good.jpg"));
        File.WriteAllText(t.File("images/2_text.jpg"), "not a picture");
        t.Fifo("images/3_pipe.jpg");
        File.CreateSymbolicLink(t.File("images/4_zero.jpg"), "/dev/zero");
        File.WriteAllBytes(t.File("images/5_bomb.png"), ImageLimitTests.BombPng(50_000, 50_000));
        File.WriteAllBytes(t.File("images/6_empty.jpg"), []);
        File.Copy(Bus, t.File("images/7_good.jpg"));

        var clock = Stopwatch.StartNew();
        var run = DetectCam(t.Path, "images");

        Assert.Equal(1, run.ExitCode);
        AssertOneLineErrors(run, 5);
        foreach (var (file, problem) in new[] { ("2_text.jpg", "not a readable"), ("3_pipe.jpg", "not a regular file"),
            ("4_zero.jpg", "not a regular file"), ("5_bomb.png", "over the limit"), ("6_empty.jpg", "is empty") })
            Assert.Contains(run.ErrorLines, l => l.Contains(file) && l.Contains(problem));
        Assert.Equal(["1_good", "7_good"], WholeResults(t.File("out")).Keys.Order());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "nothing may block");
    }

    [Theory]
    [InlineData("--weights")]
    [InlineData("--tensor")]
    public void APipeGivenAsAFileIsRefusedAtOnce(string option)
    {
        using var t = new TempFolder();
        t.Fifo("pipe");
        string[] image = option == "--weights" ? [Bus] : [];
        var run = CliProcess.RunIn(t.Path, Limit, ["detect", .. image, option, "pipe", "--device", "cpu"]);
        Assert.Equal(2, run.ExitCode);
        AssertOneLineErrors(run, 1);
        Assert.Contains("pipe is empty, or not a regular file", run.StdErr);
    }

    [Theory]
    [InlineData("", "--classes needs class ids")]
    [InlineData("0,,1", "has an empty entry")]
    [InlineData("person", "'person' is not a class id")]
    [InlineData("-1", "'-1' is not a class id")]
    [InlineData("1000000", "class 1000000 does not exist (this model has 80 classes, 0..79)")]
    public void MalformedOrOutOfRangeClassListsAreErrors(string classes, string message)
    {
        var run = CliProcess.RunIn(null, Limit, "detect", Bus, "--classes", classes, "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        AssertOneLineErrors(run, 1);
        Assert.Contains(message, run.StdErr);
    }

    [Theory]
    [InlineData("--out needs a folder name", "detect-cam", "BUS", "--out", "")]
    [InlineData("--out needs a folder name", "vit-cam", "BUS", "--weights", "W", "--out", " ")]
    [InlineData("the picture's name must end in .png, .jpg or .jpeg", "features", "BUS", "--layer", "model.2", "--output", "/tmp")]
    [InlineData("--max-pixels must be at least 1", "detect", "BUS", "--max-pixels", "0")]
    [InlineData("Unrecognized command or argument 'bogus'", "bogus")]
    [InlineData("Cannot parse argument 'many' for option '--img-size'", "detect", "BUS", "--img-size", "many")]
    public void BadFlagsAreOneLineErrorsWithExitCodeTwo(string message, params string[] args)
    {
        var run = CliProcess.RunIn(null, Limit, args.Select(a => a switch { "BUS" => Bus, "W" => Yolo.YoloFixture.Weights, _ => a }).ToArray());
        Assert.Equal(2, run.ExitCode);
        AssertOneLineErrors(run, 1);
        Assert.Contains(message, run.StdErr);
    }

    [Fact]
    public void AFolderThatIsNotAnEarlierResultIsLeftAlone()
    {
        using var t = new TempFolder();
        File.Copy(Bus, t.File("bus.jpg"));
        Directory.CreateDirectory(t.File("out/bus"));
        File.WriteAllText(t.File("out/bus/notes.txt"), "mine");

        var run = DetectCam(t.Path, "bus.jpg");

        Assert.Equal(2, run.ExitCode);
        AssertOneLineErrors(run, 1);
        Assert.Contains("is not an earlier NativeCam result", run.StdErr);
        Assert.Equal(["notes.txt"], Directory.GetFiles(t.File("out/bus")).Select(Path.GetFileName));
        Assert.Equal(["bus"], Directory.GetFileSystemEntries(t.File("out")).Select(Path.GetFileName));
    }

    /// <summary>Starts detect-cam on <paramref name="copies"/> copies of bus.jpg and waits until one result is written.</summary>
    static Process StartLongRun(TempFolder t, int copies)
    {
        for (int i = 0; i < copies; i++) File.Copy(Bus, t.File($"bus{i:D2}.jpg"));
        var process = CliProcess.Start(t.Path, ["detect-cam", .. Enumerable.Range(0, copies).Select(i => $"bus{i:D2}.jpg"),
            "--out", "out", "--img-size", "320", "--device", "cpu"]);
        Assert.NotNull(process.StandardOutput.ReadLine()); // the first image is done: the run is in its loop
        return process;
    }

    static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString()]);
        kill.WaitForExit();
    }

    [Fact]
    public async Task CtrlCStopsPromptlyRemovesItsStagingAndExits130()
    {
        using var t = new TempFolder();
        using var process = StartLongRun(t, 40);
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Signal(process, "INT");
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "Ctrl+C must stop the run promptly");
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("error: interrupted", (await stderr).Trim().Split('\n')[^1]);
        var results = WholeResults(t.File("out"));
        Assert.InRange(results.Count, 1, 39);
    }

    [Fact]
    public void AKilledRunLeavesOnlyItsNamedStagingAndTheNextRunRemovesIt()
    {
        using var t = new TempFolder();
        using (var process = StartLongRun(t, 40))
        {
            process.Kill();
            process.WaitForExit();
        }
        var left = Directory.GetFileSystemEntries(t.File("out")).Select(Path.GetFileName).Where(n => n!.StartsWith('.')).ToArray();
        Assert.All(left, n => Assert.Equal(".nativecam-staging", n));

        var run = DetectCam(t.Path, "bus00.jpg");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("bus00", WholeResults(t.File("out")).Keys); // and no staging: WholeResults checks
    }

    [Fact]
    public void TwoRunsIntoOneOutputFolderNeverMixFiles()
    {
        using var t = new TempFolder();
        for (int i = 0; i < 3; i++) File.Copy(Bus, t.File($"bus{i}.jpg"));
        string[] Args(string method) => ["detect-cam", "bus0.jpg", "bus1.jpg", "bus2.jpg", "--out", "out", "--img-size", "320",
            "--device", "cpu", "--method", method];
        using var first = CliProcess.Start(t.Path, Args("gradcam"));
        using var second = CliProcess.Start(t.Path, Args("eigencam"));
        foreach (var p in new[] { first, second })
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(Limit));
            Assert.Equal(0, p.ExitCode);
        }
        var results = WholeResults(t.File("out"));
        Assert.Equal(["bus0", "bus1", "bus2"], results.Keys.Order());
        foreach (var (name, report) in results)
        {
            string method = report.GetProperty("method").GetString()!;
            Assert.All(report.GetProperty("maps").EnumerateArray(), m => Assert.Equal(method, m.GetProperty("method").GetString()));
        }
    }
}
