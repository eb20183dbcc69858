using System.Diagnostics;
using NativeCam.Tensors;
using NativeCam.Tests.Weights;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>Only regular files with data are read, and never more than a bound: no pipe blocks, no device floods.</summary>
public class RegularFileTests
{

    [Fact]
    public void APipeIsRefusedWithoutOpeningIt()
    {
        using var t = new TempFolder();
        t.Fifo("pipe.jpg");
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => RegularFile.ReadAllBytes(t.File("pipe.jpg"), 1 << 20));
        Assert.Contains("not a regular file", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ALinkToADeviceIsJudgedByTheDevice()
    {
        using var t = new TempFolder();
        File.CreateSymbolicLink(t.File("zero.jpg"), "/dev/zero");
        Assert.Throws<InvalidDataException>(() => RegularFile.ReadAllBytes(t.File("zero.jpg"), 1 << 20));
    }

    [Fact]
    public void EmptyMissingFolderAndOversizedFilesAreRefused()
    {
        using var t = new TempFolder();
        File.WriteAllBytes(t.File("empty.jpg"), []);
        File.WriteAllBytes(t.File("big.bin"), new byte[100]);
        File.CreateSymbolicLink(t.File("dangling.jpg"), t.File("nowhere"));
        Assert.Throws<InvalidDataException>(() => RegularFile.Size(t.File("empty.jpg")));
        Assert.Throws<FileNotFoundException>(() => RegularFile.Size(t.File("missing.jpg")));
        Assert.Throws<FileNotFoundException>(() => RegularFile.Size(t.File("dangling.jpg")));
        Assert.Contains("is a folder", Assert.Throws<InvalidDataException>(() => RegularFile.Size(t.Path)).Message);
        Assert.Contains("over the limit of 99", Assert.Throws<InvalidDataException>(() => RegularFile.ReadAllBytes(t.File("big.bin"), 99)).Message);
        Assert.Equal(100, RegularFile.ReadAllBytes(t.File("big.bin"), 100).Length);
    }
}
