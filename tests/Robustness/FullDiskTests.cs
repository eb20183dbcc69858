using System.Diagnostics;
using NativeCam.Tests.Weights;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>
/// A full disk: a 256 KB tmpfs mounted for the test (the tests run as root, as CI does). Writing fails midway; the
/// run must say so on one line with exit code 3 and leave no partial file behind.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    readonly TempFolder _mount = new();

    public FullDiskTests()
    {
        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", _mount.Path]);
        mount.WaitForExit();
        Assert.True(mount.ExitCode == 0, "these tests mount a small tmpfs and need root (CI runs as root)");
    }

    public void Dispose()
    {
        using (var umount = Process.Start("umount", [_mount.Path])) umount.WaitForExit();
        _mount.Dispose();
    }

    static string Sample(string file) => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", file);

    [Fact]
    public void ConvertLeavesNoTemporaryFile()
    {
        var run = CliProcess.Run("convert", Sample("yolov5n.pt"), Path.Combine(_mount.Path, "y.msgpack"));
        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: no space left on the disk", Assert.Single(run.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(_mount.Path));
    }

    [Fact]
    public void DetectCamLeavesNoStagingAndNoPartialResult()
    {
        var run = CliProcess.RunIn(null, TimeSpan.FromMinutes(2), "detect-cam", Sample("bus.jpg"), "--out", Path.Combine(_mount.Path, "out"),
            "--device", "cpu");
        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: no space left on the disk", Assert.Single(run.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_mount.Path, "out")));
    }
}
