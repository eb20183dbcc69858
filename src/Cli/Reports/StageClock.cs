using System.Diagnostics;

namespace NativeCam.Cli.Reports;

/// <summary>Times the stages of one image: <c>clock.Lap()</c> returns milliseconds since the previous lap.</summary>
public sealed class StageClock
{
    readonly Stopwatch _total = Stopwatch.StartNew();
    double _last;

    public double Lap()
    {
        double now = _total.Elapsed.TotalMilliseconds;
        double lap = now - _last;
        _last = now;
        return Math.Round(lap, 1);
    }

    public double Total => Math.Round(_total.Elapsed.TotalMilliseconds, 1);
}
