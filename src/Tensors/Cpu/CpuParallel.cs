using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace NativeCam.Tensors;

/// <summary>
/// The CPU backend's fork-join: runs the items of one job on <see cref="Cores"/> − 1 dedicated worker threads plus
/// the calling thread, OpenMP-style. An op is a few µs to a few ms of work, so the dispatch must cost ~1 µs:
/// the workers spin for a short while after each job (the next op usually follows within microseconds) and
/// only then sleep; items are claimed one at a time from a shared counter, so a core that finishes early takes
/// the next item (balance without a scheduler). One job runs at a time: a job started while another runs
/// (an item that itself calls For, or a second host thread) runs inline on its caller. Items are ranges of the
/// work, never single elements, so the per-item cost (~0.1 µs) is paid a few times per core.
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
        Run(ranges, r => body(r * chunk, Math.Min(n, (r + 1) * chunk)));
    }

    /// <summary>Calls body(i) for every i in [0, count) across the cores (in no particular order); returns when all are done.</summary>
    public static void Run(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (count == 1 || Cores == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            EnsureWorkers();
            var job = new Job(body, count);
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _jobs);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);
            job.Work();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Done) < count) spin.SpinOnce(-1);
            if (job.Error != null) ExceptionDispatchInfo.Throw(job.Error);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    // ---- The pool ----

    /// <summary>One fork-join: its items are claimed through Next and counted in Done. A worker that wakes late
    /// works on the job it read, whose items are all claimed by then, so it can never touch a newer job's counters.</summary>
    sealed class Job(Action<int> body, int count)
    {
        public int Next, Done;
        public Exception? Error;

        /// <summary>Claims and runs items until none is left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Work()
        {
            for (int i = Interlocked.Increment(ref Next) - 1; i < count; i = Interlocked.Increment(ref Next) - 1)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, e, null);
                }
                Interlocked.Increment(ref Done);
            }
        }
    }

    /// <summary>How long an idle worker keeps polling for the next job before it sleeps (~50–100 µs).</summary>
    const int SpinIterations = 2000;

    static readonly object _gate = new();
    static Thread[]? _workers;
    static Job? _current;
    static int _busy, _jobs, _sleepers;

    static void EnsureWorkers()
    {
        if (_workers != null) return;
        lock (_gate)
        {
            if (_workers != null) return;
            var workers = new Thread[Cores - 1];
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"nativecam-cpu-{i + 1}" };
                workers[i].Start();
            }
            _workers = workers;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            // Poll for a new job for a while, then sleep until Run pulses.
            for (int s = 0; s < SpinIterations && Volatile.Read(ref _jobs) == seen; s++) Thread.SpinWait(20);
            if (Volatile.Read(ref _jobs) == seen)
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _jobs) == seen) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            seen = Volatile.Read(ref _jobs);
            Volatile.Read(ref _current)!.Work();
        }
    }
}
