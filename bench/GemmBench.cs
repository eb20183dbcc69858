using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// The SIMD CPU backend's GEMM (src/Tensors/Cpu/Sgemm*.cs through <c>CpuBackend.Gemm</c>) at the shapes the
/// models run, M×K×N: YOLOv5 convolutions as W[Cout, Cin·kh·kw] × col[Cin·kh·kw, OH·OW] and their two backward
/// products, ViT-B/16's linear layers (x @ Wᵀ) and batched attention. A shape reads "NT 197x768x2304":
/// N/T say whether A and B are read transposed (stored [K, M] / [N, K]), "12*" prefixes a batch.
/// Columns: GFLOP/s and the percentage of the fp32 peak measured in the same process (<see cref="GemmPeak"/>).
/// `dotnet run -c Release --project bench -- gemm-table` prints the same shapes as a Stopwatch table
/// (medians), the Vector256 path side by side.
/// </summary>
[Config(typeof(Columns))]
public class GemmBench
{
    /// <summary>Every shape, with what it is in the models.</summary>
    public static readonly (string Shape, string What)[] Shapes =
    [
        ("NN 16x27x102400", "YOLOv5n-like first conv, 3x3, 3 → 16 at 320x320 (m, k tiny)"),
        ("NN 32x144x25600", "3x3, 16 → 32 at 160x160"),
        ("NN 64x288x6400", "3x3, 32 → 64 at 80x80"),
        ("NN 128x576x1600", "3x3, 64 → 128 at 40x40"),
        ("NN 256x1152x400", "3x3, 128 → 256 at 20x20"),
        ("NN 32x32x25600", "1x1, 32 → 32 at 160x160"),
        ("NN 64x64x6400", "1x1, 64 → 64 at 80x80"),
        ("NN 255x64x6400", "Detect head, 64 → 255 at 80x80"),
        ("NN 32x108x102400", "YOLOv5s first conv, 6x6 s2, 3 → 32 at 320x320"),
        ("NN 64x288x25600", "v5s 3x3 s2, 32 → 64 at 160x160"),
        ("NN 64x288x102400", "the shared notes' shape"),
        ("NN 128x576x25600", "the shared notes' shape"),
        ("NN 128x576x6400", "v5s 3x3, 64 → 128 at 80x80"),
        ("NN 256x1152x1600", "v5s 3x3, 128 → 256 at 40x40"),
        ("NN 512x2304x400", "v5s 3x3, 256 → 512 at 20x20"),
        ("NN 255x128x6400", "v5s Detect head P3"),
        ("NN 256x256x1600", "the shared notes' shape"),
        ("TN 576x128x6400", "conv backward dcol = Wᵀ·gy (v5s 64 → 128, 3x3, 80x80)"),
        ("NT 128x6400x576", "conv backward dW = gy·colᵀ (same conv)"),
        ("NT 32x102400x108", "conv backward dW of the v5s first conv (k huge, m, n small)"),
        ("NN 64x64x64", "small: where splitting over the cores starts to pay"),
        ("NN 96x96x96", "small: where splitting over the cores starts to pay"),
        ("NT 197x768x2304", "ViT-B/16 fused QKV, x·Wᵀ"),
        ("NT 197x768x768", "ViT-B/16 attention projection"),
        ("NT 197x768x3072", "ViT-B/16 MLP fc1"),
        ("NT 197x3072x768", "ViT-B/16 MLP fc2"),
        ("NT 12*197x64x197", "ViT-B/16 attention scores q·kᵀ, 12 heads"),
        ("NN 12*197x197x64", "ViT-B/16 attention output p·v, 12 heads"),
        ("NN 197x2304x768", "ViT-B/16 QKV backward dx = dy·W"),
        ("TN 768x197x2304", "ViT-B/16 QKV backward dW = dyᵀ·x"),
    ];

    public static IEnumerable<string> ShapeNames => Shapes.Select(s => s.Shape);

    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "";

    Problem _problem = null!;

    [GlobalSetup]
    public void Setup() => _problem = new Problem(Device.OpenCpu(), Shape);

    [Benchmark]
    public void Gemm() => _problem.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        var device = _problem.Device;
        _problem.Dispose();
        device.Dispose();
    }

    /// <summary>One product on the CPU backend, operands random in [-1, 1).</summary>
    public sealed class Problem : IDisposable
    {
        public readonly Device Device;
        public readonly int Batch, M, K, N;
        public double Flop => 2.0 * Batch * M * K * N;
        readonly Tensor _a, _b, _c;
        readonly MatrixLayout _la, _lb, _lc;

        public Problem(Device device, string shape)
        {
            Device = device;
            (Batch, M, K, N, bool ta, bool tb) = Parse(shape);
            var rng = new Random(1);
            Tensor Random(params int[] dims)
            {
                var data = new float[Tensor.ShapeLength(dims)];
                for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
                return Tensor.FromArray(device, data, dims);
            }
            _a = ta ? Random(Batch, K, M) : Random(Batch, M, K);
            _la = ta ? MatrixLayout.RowMajor(Batch, K, M).Transposed : MatrixLayout.RowMajor(Batch, M, K);
            _b = tb ? Random(Batch, N, K) : Random(Batch, K, N);
            _lb = tb ? MatrixLayout.RowMajor(Batch, N, K).Transposed : MatrixLayout.RowMajor(Batch, K, N);
            _c = Tensor.Empty(device, Batch, M, N);
            _lc = MatrixLayout.RowMajor(Batch, M, N);
        }

        public void Run() => Device.Backend.Gemm(_a, _la, _b, _lb, _c, _lc, Batch, M, K, N);

        /// <summary>
        /// The same product computed as Cᵀ = Bᵀ·Aᵀ (operands and strides swapped, C written through a column
        /// stride): the measured answer to "would small-m shapes be better with the operands exchanged?".
        /// </summary>
        public unsafe void RunSwapped(bool parallel)
        {
            if (Batch != 1) throw new InvalidOperationException("swap: one matrix only");
            Sgemm.Multiply(N, M, K, _b.Pointer, _lb.ColStride, _lb.RowStride, _a.Pointer, _la.ColStride, _la.RowStride,
                _c.Pointer, _lc.ColStride, _lc.RowStride, parallel: parallel);
        }

        /// <summary>The same products through Sgemm directly, on the calling thread only.</summary>
        public unsafe void RunSerial()
        {
            for (int i = 0; i < Batch; i++)
                Sgemm.Multiply(M, N, K, _a.Pointer + (long)i * _la.BatchStride, _la.RowStride, _la.ColStride,
                    _b.Pointer + (long)i * _lb.BatchStride, _lb.RowStride, _lb.ColStride,
                    _c.Pointer + (long)i * _lc.BatchStride, _lc.RowStride, _lc.ColStride, parallel: false);
        }

        public void Dispose()
        {
            _a.Dispose();
            _b.Dispose();
            _c.Dispose();
        }
    }

    /// <summary>"NT 12*197x64x197" → batch 12, M 197, K 64, N 197, A plain, B transposed.</summary>
    public static (int Batch, int M, int K, int N, bool TransposeA, bool TransposeB) Parse(string shape)
    {
        var parts = shape.Split(' ');
        var dims = parts[1];
        int batch = 1;
        if (dims.Contains('*'))
        {
            batch = int.Parse(dims[..dims.IndexOf('*')]);
            dims = dims[(dims.IndexOf('*') + 1)..];
        }
        var p = dims.Split('x').Select(int.Parse).ToArray();
        return (batch, p[0], p[1], p[2], parts[0][0] == 'T', parts[0][1] == 'T');
    }

    static double FlopOf(string shape)
    {
        var (batch, m, k, n, _, _) = Parse(shape);
        return 2.0 * batch * m * k * n;
    }

    sealed class Columns : ManualConfig
    {
        public Columns()
        {
            static string Shape(BenchmarkCase c) => (string)c.Parameters["Shape"];
            AddColumn(new RateColumn("GemmGFLOP/s", "GFLOP/s", "2·batch·M·K·N / mean time, in 10^9 per second",
                (c, t) => FlopOf(Shape(c)) / t.Mean));
            AddColumn(new RateColumn("Gemm% peak", "% peak", "GFLOP/s over the Vector512 FMA peak measured in the host process",
                (c, t) => 100 * FlopOf(Shape(c)) / t.Mean / GemmPeak.Gflops.Value));
        }
    }
}

/// <summary>
/// The machine's fp32 peak, measured: every core runs 16 independent Vector512 FMA chains (2 pipes × 4-cycle
/// latency need 8 in flight), the best of a few runs.
/// </summary>
public static class GemmPeak
{
    public static readonly Lazy<double> Gflops = new(() => Measure(Environment.ProcessorCount));

    /// <summary>Best of <paramref name="runs"/> runs of <paramref name="iterations"/> FMA steps on each of <paramref name="threads"/> threads.</summary>
    public static double Measure(int threads, int iterations = 4_000_000, int runs = 5)
    {
        double best = 0;
        for (int run = 0; run < runs; run++)
        {
            using var start = new Barrier(threads + 1);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                Sink += Chains<V512>(iterations);
                start.SignalAndWait();
            })).ToArray();
            foreach (var w in workers) w.Start();
            start.SignalAndWait();
            var sw = Stopwatch.StartNew();
            start.SignalAndWait();
            double seconds = sw.Elapsed.TotalSeconds;
            foreach (var w in workers) w.Join();
            best = Math.Max(best, threads * 16.0 * 16 * 2 * iterations / seconds / 1e9);
        }
        return best;
    }

    /// <summary>Keeps the chains' results alive (a discarded result would let the JIT drop the loop).</summary>
    public static float Sink;

    /// <summary>One thread's peak per second of its own CPU time (insensitive to other processes sharing the core).</summary>
    public static double MeasureOneThreadCpu(int iterations = 4_000_000, int runs = 5) => OneThreadCpu<V512>(iterations, runs);

    /// <summary>One thread's Vector256 FMA peak per CPU second (the ceiling of the Vector256 path).</summary>
    public static double MeasureOneThreadCpu256(int iterations = 4_000_000, int runs = 5) => OneThreadCpu<V256>(iterations, runs);

    static double OneThreadCpu<V>(int iterations, int runs) where V : unmanaged, IVec<V>
    {
        double best = 0;
        for (int run = 0; run < runs; run++)
        {
            double start = GemmTable.ThreadCpuSeconds();
            Sink += Chains<V>(iterations);
            best = Math.Max(best, 16.0 * V.Count * 2 * iterations / (GemmTable.ThreadCpuSeconds() - start) / 1e9);
        }
        return best;
    }

    /// <summary>16 chains x = x·s + t of V (converges, no overflow or denormals); the sum keeps them alive.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining |
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static float Chains<V>(int iterations) where V : unmanaged, IVec<V>
    {
        V s = V.Splat(0.999f), t = V.Splat(0.001f);
        V x0 = V.Splat(1f), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0,
            x8 = x0, x9 = x0, xa = x0, xb = x0, xc = x0, xd = x0, xe = x0, xf = x0;
        for (int i = 0; i < iterations; i++)
        {
            x0 = V.Fma(x0, s, t); x1 = V.Fma(x1, s, t); x2 = V.Fma(x2, s, t); x3 = V.Fma(x3, s, t);
            x4 = V.Fma(x4, s, t); x5 = V.Fma(x5, s, t); x6 = V.Fma(x6, s, t); x7 = V.Fma(x7, s, t);
            x8 = V.Fma(x8, s, t); x9 = V.Fma(x9, s, t); xa = V.Fma(xa, s, t); xb = V.Fma(xb, s, t);
            xc = V.Fma(xc, s, t); xd = V.Fma(xd, s, t); xe = V.Fma(xe, s, t); xf = V.Fma(xf, s, t);
        }
        return V.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb + xc + xd + xe + xf);
    }
}

/// <summary>
/// `-- gemm-table [filter] [paths] [serial] [cpu] [KNOB=v1,v2 ..]`: the <see cref="GemmBench"/> shapes timed with
/// a Stopwatch, as GFLOP/s and % of the measured peak. The machine is shared, so each cell is the median of 3
/// rounds, each a short peak measurement followed by the GEMM's median time (~0.1 s of calls), and % peak is
/// relative to the peak measured just before. Columns: <c>auto</c> (the backend, all cores); <c>paths</c> adds
/// the forced Vector256 and scalar micro-kernels; <c>serial</c> adds Sgemm on the calling thread only (vs the
/// one-thread peak); <c>swap</c> adds the product computed as Cᵀ = Bᵀ·Aᵀ; <c>cpu</c> times one thread by its own CPU time instead (tuning on a busy machine);
/// KNOB=.. sweeps blocking sizes (KC, MC, NC), one column per value. A filter keeps matching shapes.
/// </summary>
public static class GemmTable
{
    sealed record Variant(string Name, Action Set, bool OneThread, bool Swapped = false);

    public static void Run(string[] args)
    {
        bool cpu = args.Contains("cpu");
        string[] flags = ["paths", "serial", "cpu", "swap"];
        string? filter = args.FirstOrDefault(a => !flags.Contains(a) && !a.Contains('='));
        void Auto() => Sgemm.Override = Sgemm.Path.Auto;
        var variants = new List<Variant> { new(cpu ? "1 thread (CPU time)" : "auto", Auto, cpu) };
        foreach (var knob in args.Where(a => a.Contains('=')))
        {
            var name = knob[..knob.IndexOf('=')];
            var values = knob[(knob.IndexOf('=') + 1)..].Split(',').Select(int.Parse).ToArray();
            variants = [.. from v in variants from x in values select new Variant(
                (v.Name is "auto" || v.Name.StartsWith("1 thread") ? "" : v.Name + " ") + $"{name}={x}",
                () => { v.Set(); SetKnob(name, x); }, cpu)];
        }
        if (args.Contains("paths"))
        {
            variants.Add(new("Vector256", () => Sgemm.Override = Sgemm.Path.Vector256, cpu));
            variants.Add(new("scalar", () => Sgemm.Override = Sgemm.Path.Scalar, cpu));
        }
        if (args.Contains("serial")) variants.Add(new("1 thread", Auto, true));
        if (args.Contains("swap")) variants.Add(new(cpu ? "swapped, 1 thread" : "swapped", Auto, cpu, Swapped: true));

        double allCores = GemmPeak.Gflops.Value, one = cpu ? GemmPeak.MeasureOneThreadCpu() : GemmPeak.Measure(1);
        Console.WriteLine($"{CpuBackend.Describe()}; measured fp32 peak (Vector512 FMA chains): {allCores:F0} GFLOP/s on all cores, " +
            $"{one:F0} on one thread{(cpu ? " per CPU second" : "")}; one thread with Vector256: " +
            $"{GemmPeak.MeasureOneThreadCpu256():F0} per CPU second.");
        Console.WriteLine("Each cell: median of 3 rounds (a short peak measurement, then the GEMM's median time); % peak is");
        Console.WriteLine("relative to the peak measured just before (all cores, or one thread for one-thread columns).");
        if (filter == null || filter == "kernel")
            foreach (int kc in new[] { 256, 27 })
            {
                // The micro-kernel alone on L1-resident panels (one thread): the ceiling the blocking can approach.
                double seconds = Median(() => KernelOnly(kc), 0.2, threadCpu: true) / KernelCalls;
                double gflops = 2.0 * 8 * 32 * kc / seconds / 1e9, cpuPeak = cpu ? one : GemmPeak.MeasureOneThreadCpu();
                Console.WriteLine($"micro-kernel 8x32 alone, kc {kc}, L1-resident: {gflops:F0} GFLOP/s per CPU second, " +
                    $"{100 * gflops / cpuPeak:F0}% of one thread's peak ({cpuPeak:F0})");
            }
        Console.WriteLine();
        Console.WriteLine($"| shape (M×K×N) | {string.Join(" | ", variants.Select(v => $"{v.Name} ms | GFLOP/s | % peak"))} |");
        Console.WriteLine($"|---|{string.Concat(variants.Select(_ => "---|---|---|"))}");
        using var device = Device.OpenCpu();
        foreach (var (shape, _) in GemmBench.Shapes)
        {
            if (filter != null && !shape.Contains(filter)) continue;
            using var problem = new GemmBench.Problem(device, shape);
            var cells = new List<string>();
            foreach (var v in variants)
            {
                if (v.Swapped && problem.Batch != 1)
                {
                    cells.Add("- | - | -");
                    continue;
                }
                v.Set();
                var rounds = Enumerable.Range(0, 3).Select(_ =>
                {
                    double peakNow = cpu ? GemmPeak.MeasureOneThreadCpu(500_000, 2)
                        : GemmPeak.Measure(v.OneThread ? 1 : Environment.ProcessorCount, 500_000, 2);
                    Action run = v.Swapped ? () => problem.RunSwapped(!v.OneThread) : v.OneThread ? problem.RunSerial : problem.Run;
                    double seconds = Median(run, 0.1, threadCpu: cpu);
                    return (Seconds: seconds, Fraction: problem.Flop / seconds / 1e9 / peakNow);
                }).ToArray();
                double median = rounds.Select(r => r.Seconds).Order().ElementAt(1);
                double fraction = rounds.Select(r => r.Fraction).Order().ElementAt(1);
                cells.Add($"{median * 1e3:F3} | {problem.Flop / median / 1e9:F0} | {100 * fraction:F0}");
                Auto();
            }
            Console.WriteLine($"| {shape} | {string.Join(" | ", cells)} |");
        }
    }

    const int KernelCalls = 1000;

    static unsafe void KernelOnly(int kc)
    {
        var a = (float*)NativeMemory.AlignedAlloc(8 * 256 * 4, 64);
        var b = (float*)NativeMemory.AlignedAlloc(32 * 256 * 4, 64);
        var c = (float*)NativeMemory.AlignedAlloc(8 * 32 * 4, 64);
        for (int i = 0; i < 8 * 256; i++) a[i] = 0.001f;
        for (int i = 0; i < 32 * 256; i++) b[i] = 0.002f;
        for (int i = 0; i < KernelCalls; i++) Sgemm.Kernel512.Run(kc, a, new Sgemm.SliverRows(b, 32), c, 32, false, null);
        NativeMemory.AlignedFree(a);
        NativeMemory.AlignedFree(b);
        NativeMemory.AlignedFree(c);
    }

    static void SetKnob(string name, int value)
    {
        switch (name)
        {
            case "KC": Sgemm.KC = value; break;
            case "MC": Sgemm.MC = value; break;
            case "NC": Sgemm.NC = value; break;
            default: throw new ArgumentException($"unknown knob {name}");
        }
    }

    /// <summary>
    /// Median of timed calls after two warm-up calls: at least 5, up to ~0.25 s. <paramref name="threadCpu"/>
    /// times the calling thread's CPU time instead of the wall clock (one-thread runs on a shared machine:
    /// the time other processes take the core does not count).
    /// </summary>
    public static double Median(Action run, double budgetSeconds = 0.25, bool threadCpu = false)
    {
        run();
        run();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 5 || (total.Elapsed.TotalSeconds < budgetSeconds && times.Count < 1000))
        {
            double start = threadCpu ? ThreadCpuSeconds() : 0;
            var sw = Stopwatch.StartNew();
            run();
            times.Add(threadCpu ? ThreadCpuSeconds() - start : sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID); the wall clock elsewhere.</summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(3, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
