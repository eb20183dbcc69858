namespace NativeCam.Tensors;

/// <summary>
/// Splits n work items into a few contiguous ranges and runs them on the thread pool. A range is the
/// unit of work (not one item), so the per-task overhead (~1 µs) is paid a few times per core, not per
/// element; small jobs run inline on the calling thread.
/// </summary>
public static class CpuParallel
{
    /// <summary>Cores the backend spreads work over.</summary>
    public static int Cores { get; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Calls body(start, end) over [0, n) in ranges of at least <paramref name="minPerRange"/> items (the
    /// item count below which splitting costs more than it saves), about 4 ranges per core.
    /// </summary>
    public static void For(int n, int minPerRange, Action<int, int> body)
    {
        if (n <= 0) return;
        int ranges = Math.Min(Cores * 4, Math.Max(1, n / Math.Max(1, minPerRange)));
        if (ranges <= 1 || Cores == 1)
        {
            body(0, n);
            return;
        }
        int chunk = (n + ranges - 1) / ranges;
        ranges = (n + chunk - 1) / chunk;
        Parallel.For(0, ranges, r => body(r * chunk, Math.Min(n, (r + 1) * chunk)));
    }
}
