using NativeCam.Cli;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>The progress line of folder runs: its text, when it is drawn, and that a redirected stderr never gets it.</summary>
public class FolderProgressTests
{
    [Fact]
    public void TheLineSaysWhereTheRunIsWhatTheImageGaveAndWhenItEnds()
    {
        string line = FolderProgress.Line(3, 10, "bus.jpg", "5 detections", 812.4, TimeSpan.FromSeconds(30));
        Assert.Equal("[3/10] bus.jpg  5 detections  812 ms  ETA 1:10", line); // 10 s an image so far, 7 to go
        Assert.EndsWith("ETA 0:00", FolderProgress.Line(4, 4, "a.png", "1 detections", 5, TimeSpan.FromMinutes(3)));
        Assert.Equal("1:02:03", FolderProgress.Clock(new TimeSpan(1, 2, 3)));
    }

    [Fact]
    public void AFileNameCannotSendEscapeSequencesToTheTerminal()
    {
        string line = FolderProgress.Line(1, 2, "x\u001b]0;owned\u0007\r\n.jpg", "0 detections", 1, TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(line, char.IsControl);
        Assert.Contains("x?]0;owned???.jpg", line);
    }

    [Fact]
    public void ItIsDrawnOnlyOnATerminalAndOnlyForSeveralInputs()
    {
        Assert.True(FolderProgress.Enabled(stderrIsTerminal: true, inputs: 2));
        Assert.False(FolderProgress.Enabled(stderrIsTerminal: false, inputs: 2));
        Assert.False(FolderProgress.Enabled(stderrIsTerminal: true, inputs: 1));
    }

    [Fact]
    public void OnATerminalTheLineIsRedrawnInPlaceAndClearedAtTheEnd()
    {
        var terminal = new StringWriter();
        var progress = new FolderProgress(2, enabled: true, terminal);
        progress.Step(1, "a.jpg", "1 detections", 10);
        progress.Clear();
        Assert.StartsWith("\r\u001b[K[1/2] a.jpg  1 detections  10 ms  ETA ", terminal.ToString());
        Assert.EndsWith("\r\u001b[K", terminal.ToString());

        var log = new StringWriter();
        var off = new FolderProgress(2, enabled: false, log);
        off.Step(1, "a.jpg", "1 detections", 10);
        off.Clear();
        Assert.Equal("", log.ToString());
    }

    [Fact]
    public void TheEndSummaryCountsImagesResultsAndFailures() =>
        Assert.Equal("3 images, 12 detections, 1 failed in 4.1 s", Summary.Run(3, 12, "detections", 1, TimeSpan.FromMilliseconds(4100)));
}
