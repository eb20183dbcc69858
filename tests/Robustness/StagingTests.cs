using NativeCam.Cli;
using NativeCam.Cli.Output;
using NativeCam.Tests.Weights;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>Staging and commit: only whole results appear, only earlier results are replaced, dead runs are swept.</summary>
public class StagingTests
{
    static string StagingOf(TempFolder t) => t.File(StagingArea.FolderName);

    static void Write(OutputFolder folder, params string[] files)
    {
        foreach (var f in files) File.WriteAllText(folder.File(f), f);
    }

    [Fact]
    public void ACommittedFolderHasEveryFileAndTheStagingIsGone()
    {
        using var t = new TempFolder();
        using (var staging = new StagingArea(t.Path))
        {
            var folder = staging.NewFolder("bus");
            Write(folder, "a.jpg", "report.json");
            Assert.False(Directory.Exists(t.File("bus")));
            folder.Commit();
            Assert.Equal(["a.jpg", "report.json"], Directory.GetFiles(t.File("bus")).Select(Path.GetFileName).Order());
        }
        Assert.Equal(["bus"], t.Listing());
    }

    [Fact]
    public void AnUncommittedFolderLeavesNothing()
    {
        using var t = new TempFolder();
        using (var staging = new StagingArea(t.Path))
            Write(staging.NewFolder("bus"), "a.jpg");
        Assert.Empty(t.Listing());
    }

    [Fact]
    public void AnEarlierResultIsReplacedWhole()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("bus"));
        File.WriteAllText(t.File("bus/report.json"), "old");
        File.WriteAllText(t.File("bus/old_map.jpg"), "old");
        using (var staging = new StagingArea(t.Path))
        {
            var folder = staging.NewFolder("bus");
            Write(folder, "report.json");
            folder.Commit();
        }
        Assert.Equal(["report.json"], Directory.GetFiles(t.File("bus")).Select(Path.GetFileName));
        Assert.Equal("report.json", File.ReadAllText(t.File("bus/report.json")));
    }

    [Fact]
    public void AFolderThatIsNotAResultIsNeverReplaced()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("bus"));
        File.WriteAllText(t.File("bus/thesis.tex"), "years of work");
        using var staging = new StagingArea(t.Path);
        var folder = staging.NewFolder("bus");
        Write(folder, "report.json");
        var e = Assert.Throws<CliError>(folder.Commit);
        Assert.Contains("is not an earlier NativeCam result", e.Message);
        Assert.Equal("years of work", File.ReadAllText(t.File("bus/thesis.tex")));
    }

    [Fact]
    public void ALinkAtTheDestinationIsNeverFollowed()
    {
        using var t = new TempFolder();
        using var elsewhere = new TempFolder();
        File.WriteAllText(elsewhere.File("report.json"), "someone else's");
        Directory.CreateSymbolicLink(t.File("bus"), elsewhere.Path);
        using var staging = new StagingArea(t.Path);
        var folder = staging.NewFolder("bus");
        Write(folder, "report.json");
        Assert.Throws<CliError>(folder.Commit);
        Assert.Equal("someone else's", File.ReadAllText(elsewhere.File("report.json")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/../..")]
    [InlineData("/etc")]
    public void UnsafeNamesAreRefusedBeforeAnythingIsMade(string name)
    {
        using var t = new TempFolder();
        using var staging = new StagingArea(t.Path);
        Assert.Throws<ArgumentException>(() => staging.NewFolder(name));
        Assert.Empty(t.Listing());
    }

    [Fact]
    public void ADeadRunsStagingIsSweptAndALiveOnesIsKept()
    {
        using var t = new TempFolder();
        string area = StagingOf(t);
        Directory.CreateDirectory(Path.Join(area, "run-1-dead/0"));
        File.WriteAllText(Path.Join(area, "run-1-dead/0/partial.jpg"), "half");
        File.WriteAllText(Path.Join(area, "run-1-dead.lock"), "");        // its process is gone: nobody holds the lock
        Directory.CreateDirectory(Path.Join(area, "run-2-nolock/0"));      // a folder without a lock file: dead too
        Directory.CreateDirectory(Path.Join(area, "run-3-live/0"));
        using (var held = new FileStream(Path.Join(area, "run-3-live.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            using (var staging = new StagingArea(t.Path))
            {
                staging.NewFolder("bus");
                var left = Directory.EnumerateFileSystemEntries(area).Select(Path.GetFileName).ToHashSet();
                Assert.DoesNotContain("run-1-dead", left);
                Assert.DoesNotContain("run-1-dead.lock", left);
                Assert.DoesNotContain("run-2-nolock", left);
                Assert.Contains("run-3-live", left);
                Assert.Contains("run-3-live.lock", left);
            }
            Assert.True(Directory.Exists(Path.Join(area, "run-3-live")), "a live run's staging must survive another run's end");
        }
    }

    [Fact]
    public void ConcurrentCommitsOfOneNameLeaveOneWholeResult()
    {
        using var t = new TempFolder();
        var runs = Enumerable.Range(0, 4).Select(_ => new StagingArea(t.Path)).ToArray();
        try
        {
            var folders = runs.Select((r, i) =>
            {
                var f = r.NewFolder("bus");
                Write(f, $"map{i}.jpg", "report.json");
                return f;
            }).ToArray();
            Parallel.ForEach(folders, f => f.Commit());
            var files = Directory.GetFiles(t.File("bus")).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(2, files.Length); // one run's map and its report, never a mix
            Assert.Contains("report.json", files);
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
        Assert.Equal(["bus"], t.Listing());
    }
}
