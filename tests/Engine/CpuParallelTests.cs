using Xunit;
using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>The CPU backend's fork-join pool: every item exactly once, errors reach the caller, nested and
/// concurrent jobs run (inline) instead of deadlocking, and a job after a long idle wakes the sleeping workers.</summary>
public class CpuParallelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Run_calls_every_item_exactly_once(int count)
    {
        var hits = new int[count];
        for (int round = 0; round < 50; round++) CpuParallel.Run(count, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(50, h));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(1001, 16)]
    public void For_covers_the_range_with_disjoint_pieces(int n, int minPerRange)
    {
        var hits = new int[n];
        CpuParallel.For(n, minPerRange, (a, b) =>
        {
            Assert.True(b - a >= Math.Min(n, minPerRange) || b == n, $"range [{a}, {b}) is shorter than {minPerRange}");
            for (int i = a; i < b; i++) Interlocked.Increment(ref hits[i]);
        });
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void An_item_that_throws_fails_the_job_after_the_other_items_ran()
    {
        int ran = 0;
        var e = Assert.Throws<InvalidOperationException>(() => CpuParallel.Run(64, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 13) throw new InvalidOperationException("item 13");
        }));
        Assert.Equal("item 13", e.Message);
        Assert.Equal(64, ran);
        // The pool is usable afterwards.
        int after = 0;
        CpuParallel.Run(8, _ => Interlocked.Increment(ref after));
        Assert.Equal(8, after);
    }

    [Fact]
    public void Nested_jobs_run_inline()
    {
        var hits = new int[16 * 16];
        CpuParallel.Run(16, i => CpuParallel.Run(16, j => Interlocked.Increment(ref hits[i * 16 + j])));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Jobs_from_several_host_threads_all_complete()
    {
        var totals = new long[4];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int round = 0; round < 200; round++) CpuParallel.Run(9, i => Interlocked.Add(ref totals[t], i));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a job did not finish");
        Assert.All(totals, s => Assert.Equal(200L * 36, s));
    }

    [Fact]
    public void A_job_after_the_workers_fell_asleep_still_runs_on_them()
    {
        CpuParallel.Run(4, _ => { });
        Thread.Sleep(50); // far past the workers' spin: they wait on the monitor now
        var threadIds = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        CpuParallel.Run(4 * CpuParallel.Cores, _ =>
        {
            threadIds[Environment.CurrentManagedThreadId] = true;
            Thread.Sleep(5); // long enough that the caller cannot take every item alone before a worker wakes
        });
        Assert.Equal(Math.Min(CpuParallel.Cores, 2), Math.Min(threadIds.Count, 2));
    }
}
