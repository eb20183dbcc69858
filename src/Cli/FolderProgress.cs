using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NativeCam.Cli;

/// <summary>
/// The progress of a run over several images, for a person watching: one status line on stderr,
/// <c>[i/N] name  5 detections  812 ms  ETA 0:41</c>, redrawn in place after each image and cleared before anything
/// else is printed and at the end. Only when stderr is a terminal: a redirected stderr (a log, a pipe, a test) gets
/// no progress, only the lines it always had. The end summary (<see cref="Summary"/>) is printed either way.
/// </summary>
public sealed class FolderProgress
{
    readonly TextWriter _error;
    readonly int _total;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    bool _shown;

    /// <summary>A progress for <paramref name="total"/> inputs written to <paramref name="error"/>, drawn only when
    /// <paramref name="enabled"/> (see <see cref="Enabled"/>).</summary>
    public FolderProgress(int total, bool enabled, TextWriter? error = null)
    {
        _total = total;
        IsOn = enabled;
        _error = error ?? Console.Error;
    }

    /// <summary>The progress for this process: on when stderr is a terminal and there is more than one input.</summary>
    public static FolderProgress ForConsole(int total) => new(total, Enabled(!Console.IsErrorRedirected, total));

    /// <summary>Whether progress is drawn: stderr is a terminal, and there are several inputs (one image needs no progress).</summary>
    public static bool Enabled(bool stderrIsTerminal, int inputs) => stderrIsTerminal && inputs > 1;

    /// <summary>Whether this progress draws anything.</summary>
    public bool IsOn { get; }

    /// <summary>The time since the run began.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The status line after <paramref name="done"/> of <paramref name="total"/> inputs, the last one
    /// <paramref name="name"/> with <paramref name="result"/> ("5 detections") in <paramref name="ms"/> ms; the ETA
    /// assumes the remaining inputs take the mean time so far. The name is a file name, so control characters
    /// (a terminal's escape sequences) are shown as '?'.</summary>
    public static string Line(int done, int total, string name, string result, double ms, TimeSpan elapsed)
    {
        var eta = done <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(elapsed.Ticks / done * Math.Max(0, total - done));
        return string.Create(CultureInfo.InvariantCulture, $"[{done}/{total}] {Printable(name)}  {result}  {ms:0} ms  ETA {Clock(eta)}");
    }

    /// <summary>m:ss below an hour, h:mm:ss above.</summary>
    public static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");

    /// <summary><paramref name="text"/> with every control character replaced by '?'.</summary>
    public static string Printable(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (char c in text) b.Append(char.IsControl(c) ? '?' : c);
        return b.ToString();
    }

    /// <summary>Draws the status line after input <paramref name="done"/> (1-based) finished.</summary>
    public void Step(int done, string name, string result, double ms)
    {
        if (!IsOn) return;
        _error.Write("\r\x1b[K" + Line(done, _total, name, result, ms, _clock.Elapsed));
        _error.Flush();
        _shown = true;
    }

    /// <summary>Removes the status line, so that the next line printed starts at the left margin.</summary>
    public void Clear()
    {
        if (!_shown) return;
        _error.Write("\r\x1b[K");
        _error.Flush();
        _shown = false;
    }
}
