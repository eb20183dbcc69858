using NativeCam.Cli;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>Each kind of failure has its own exit code and one line (docs/cli.md).</summary>
public class ExitCodeTests
{
    [Fact]
    public void UserErrorsKeepTheirCode() => Assert.Equal((1, "bad image"), CliRunner.Classify(new CliError("bad image", 1)));

    [Fact]
    public void BadFilesAreBadInput()
    {
        Assert.Equal(ExitCodes.BadInput, CliRunner.Classify(new InvalidDataException("x.pt: truncated")).Code);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Classify(new UnauthorizedAccessException("denied")).Code);
    }

    [Fact]
    public void AFullDiskIsOutOfResources()
    {
        var (code, message) = CliRunner.Classify(new IOException("No space left on device : '/out/a.jpg'"));
        Assert.Equal(ExitCodes.OutOfResources, code);
        Assert.StartsWith("no space left on the disk", message);
        Assert.Equal(ExitCodes.OutOfResources, CliRunner.Classify(new OutOfMemoryException()).Code);
    }

    [Fact]
    public void AnInterruptionIs130() => Assert.Equal(ExitCodes.Interrupted, CliRunner.Classify(new OperationCanceledException()).Code);

    [Theory]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(IndexOutOfRangeException))]
    [InlineData(typeof(NullReferenceException))]
    public void BugsAreInternalErrorsAskingForAReport(Type type)
    {
        var e = (Exception)Activator.CreateInstance(type, "line one\nline two")!;
        var (code, message) = CliRunner.Classify(e);
        Assert.Equal(ExitCodes.Internal, code);
        Assert.StartsWith($"internal error ({type.Name}: line one line two)", message);
        Assert.Contains("please report it", message);
        Assert.DoesNotContain('\n', message);
    }
}
