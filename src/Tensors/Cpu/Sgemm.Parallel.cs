using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeCam.Tensors;

// How one product is spread over the cores, and the per-thread packing buffers.
internal static unsafe partial class Sgemm
{
    /// <summary>
    /// Spreads one product over the cores. Each range of the split is an independent product with its own
    /// packing of B: contiguous column ranges (all reading one <see cref="PackedA"/>; a range gets at least
    /// <see cref="MinSlivers"/> slivers), else row ranges (each packs B itself), else, for a small C over a long K (weight gradients), K
    /// ranges whose partial products are added in a fixed order (deterministic). Ranges come in whole
    /// multiples of the core count, up to 4 per core (for balance on a busy machine), with sizes differing by at
    /// most one sliver.
    /// </summary>
    static void Run<TKernel>(Operands op, int m, int n, bool parallel) where TKernel : IMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR, cores = CpuParallel.Cores;
        int colSlivers = (n + nr - 1) / nr, rowSlivers = (m + mr - 1) / mr;
        bool longK = op.K >= 2 * KC * cores;
        if (!parallel) Block<TKernel>(op, 0, m, 0, n);
        else if (colSlivers >= cores * MinSlivers || colSlivers >= rowSlivers && !longK)
        {
            // Every column range reads all of A: pack it once for all of them.
            using var packed = op.APacked == null ? new PackedA(m, op.K, op.A, op.ARow, op.ACol) : null;
            var shared = packed == null ? op : op.With(packed);
            Spread(colSlivers, cores, (s0, s1) => Block<TKernel>(shared, 0, m, s0 * nr, Math.Min(n, s1 * nr)));
        }
        else if (rowSlivers >= cores * MinSlivers || !longK)
            Spread(rowSlivers, cores, (s0, s1) => Block<TKernel>(op, s0 * mr, Math.Min(m, s1 * mr), 0, n));
        else
            SplitK<TKernel>(op, m, n, cores);
    }

    /// <summary>Fewest column or row slivers per parallel range (each range repacks the other operand).</summary>
    internal const int MinSlivers = 4;

    /// <summary>Runs body over [0, slivers) cut into cores × (1..4) balanced ranges across the cores.</summary>
    static void Spread(int slivers, int cores, Action<int, int> body)
    {
        int ranges = Math.Min(slivers, cores * Math.Clamp(slivers / (cores * MinSlivers), 1, 4));
        CpuParallel.Run(ranges, r => body((int)((long)r * slivers / ranges), (int)((long)(r + 1) * slivers / ranges)));
    }

    /// <summary>
    /// C = Σ over <paramref name="parts"/> K ranges: the first range's product goes to C itself (with the
    /// caller's accumulate and bias), the others to scratch matrices added to C afterwards, in order.
    /// </summary>
    static void SplitK<TKernel>(Operands op, int m, int n, int parts) where TKernel : IMicroKernel
    {
        int step = (op.K + parts - 1) / parts;
        step = (step + 15) / 16 * 16;
        parts = (op.K + step - 1) / step;
        long cells = Align16((long)m * n);
        float* scratch = PackBuffers.Rent(cells * (parts - 1));
        try
        {
            CpuParallel.Run(parts, t =>
            {
                var part = op.Part(t * step, Math.Min(op.K, (t + 1) * step));
                if (t > 0) part = part.Into(scratch + (t - 1) * cells, n);
                Block<TKernel>(part, 0, m, 0, n);
            });
            for (int t = 1; t < parts; t++)
                for (int i = 0; i < m; i++)
                {
                    float* src = scratch + (t - 1) * cells + (long)i * n, dst = op.C + i * op.CRow;
                    if (op.CCol == 1) AddRow(src, dst, n);
                    else
                        for (int j = 0; j < n; j++) dst[j * op.CCol] += src[j];
                }
        }
        finally
        {
            PackBuffers.Return(scratch);
        }
    }

    static void AddRow(float* src, float* dst, int count)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= count; j += 16) Vector512.Store(Vector512.Load(dst + j) + Vector512.Load(src + j), dst + j);
        for (; j < count; j++) dst[j] += src[j];
    }

    /// <summary>
    /// Packing buffers, 64-byte aligned, kept in a few lock-free slots so that steady-state products allocate
    /// nothing; a buffer too small for the request is replaced by a bigger one, and buffers returned when every
    /// slot is taken are freed.
    /// </summary>
    static class PackBuffers
    {
        /// <summary>Floats before the data: the capacity lives in the first 8 bytes, the data stays 64-byte aligned.</summary>
        const int Header = 16;

        /// <summary>The smallest buffer handed out (a default-sized Ā block and B̄ panel), so sizes settle quickly.</summary>
        const long MinFloats = 272L * 256 + 2080L * 256;

        static readonly nint[] _free = new nint[4 * Math.Max(2, Environment.ProcessorCount)];

        public static float* Rent(long floats)
        {
            for (int i = 0; i < _free.Length; i++)
            {
                var p = (float*)Interlocked.Exchange(ref _free[i], 0);
                if (p == null) continue;
                if (*(long*)p >= floats) return p + Header;
                NativeMemory.AlignedFree(p);
                break;
            }
            long capacity = Math.Max(floats, MinFloats);
            var fresh = (float*)NativeMemory.AlignedAlloc((nuint)((capacity + Header) * sizeof(float)), 64);
            *(long*)fresh = capacity;
            return fresh + Header;
        }

        public static void Return(float* data)
        {
            float* p = data - Header;
            for (int i = 0; i < _free.Length; i++)
                if (Interlocked.CompareExchange(ref _free[i], (nint)p, 0) == 0) return;
            NativeMemory.AlignedFree(p);
        }
    }
}
