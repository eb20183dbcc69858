using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

// The GEMM's micro-kernel paths are forced from the tests and timed side by side in the benchmarks.
[assembly: InternalsVisibleTo("NativeCam.Tests")]
[assembly: InternalsVisibleTo("NativeCam.Bench")]

namespace NativeCam.Tensors;

/// <summary>
/// Single-precision GEMM on host pointers: C = A·B, or C += A·B when <c>accumulate</c>, with A [m, k],
/// B [k, n] and C [m, n] each addressed through a row and a column stride (in elements), so transposed
/// operands cost nothing. <c>parallel</c> = false keeps the work on the calling thread (for callers that
/// already split work over the cores). <c>rowBias</c> (optional, m values) is added to every element of row i
/// (a convolution's bias, fused into the GEMM's store).
/// </summary>
/// <remarks>
/// BLIS-style (docs/cpu-backend.md, GEMM): C is cut into column panels of up to NC columns, K into blocks of up
/// to KC steps and the rows into blocks of up to MC; each K block of B is packed into NR-wide slivers and each
/// row block of A into MR-tall slivers (<see cref="PackA{TKernel}"/>, <see cref="PackB{TKernel}"/>), and a
/// register-blocked micro-kernel computes each MR×NR tile of C from one sliver of each. The B̄ sliver
/// (KC×NR floats) stays in L1 while the Ā slivers of a row block stream from L2.
/// </remarks>
internal static unsafe partial class Sgemm
{
    /// <summary>Which micro-kernel runs.</summary>
    internal enum Path { Auto, Vector512, Vector256, Scalar }

    /// <summary>Tests and benchmarks force a path with this; <see cref="Path.Auto"/> picks the widest accelerated one.</summary>
    internal static Path Override { get; set; } = Path.Auto;

    /// <summary>The path <see cref="Multiply"/> takes now.</summary>
    internal static Path Current => Override != Path.Auto ? Override
        : Vector512.IsHardwareAccelerated ? Path.Vector512
        : Vector256.IsHardwareAccelerated ? Path.Vector256
        : Path.Scalar;

    /// <summary>Most K steps per packed block: a KC×NR B̄ sliver (32 KB at NR = 32) fits in L1.</summary>
    internal const int KC = 256;

    /// <summary>Most rows per packed A block: MC×KC floats (256 KB) stay in L2 while the B̄ slivers go past.</summary>
    internal const int MC = 256;

    /// <summary>Most columns per packed B panel (KC×NC floats, 2 MB, in L2/L3), reused by every row block.</summary>
    internal const int NC = 2048;

    /// <summary>Below this many multiply-adds (m·n·k) a product runs on the calling thread.</summary>
    internal const long ParallelThreshold = 1 << 18;

    public static void Multiply(int m, int n, int k,
        float* a, long aRow, long aCol, float* b, long bRow, long bCol, float* c, long cRow, long cCol,
        bool accumulate = false, bool parallel = true, float* rowBias = null)
    {
        if (m <= 0 || n <= 0) return;
        var op = new Operands(k, a, aRow, aCol, b, bRow, bCol, c, cRow, cCol, accumulate, rowBias);
        if (k <= 0)
        {
            op.FillWithoutProduct(m, n);
            return;
        }
        parallel &= CpuParallel.Cores > 1 && (long)m * n * k >= ParallelThreshold;
        switch (Current)
        {
            case Path.Vector512: Run<Kernel512>(op, m, n, parallel); break;
            case Path.Vector256: Run<Kernel256>(op, m, n, parallel); break;
            default: Run<KernelScalar>(op, m, n, parallel); break;
        }
    }

    /// <summary>The three matrices of one product and what the store adds.</summary>
    readonly struct Operands(int k, float* a, long aRow, long aCol, float* b, long bRow, long bCol,
        float* c, long cRow, long cCol, bool accumulate, float* rowBias)
    {
        public readonly int K = k;
        public readonly float* A = a, B = b, C = c, RowBias = rowBias;
        public readonly long ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol, CRow = cRow, CCol = cCol;
        public readonly bool Accumulate = accumulate;

        /// <summary>k = 0: C = bias (or C += bias).</summary>
        public void FillWithoutProduct(int m, int n)
        {
            for (int i = 0; i < m; i++)
            {
                float v = RowBias != null ? RowBias[i] : 0f;
                for (int j = 0; j < n; j++)
                {
                    float* dst = C + i * CRow + j * CCol;
                    *dst = Accumulate ? *dst + v : v;
                }
            }
        }
    }

    /// <summary>
    /// Splits C over the cores into contiguous column ranges (multiples of NR) when there are enough columns,
    /// else into row ranges (multiples of MR); each range is an independent product with its own packing.
    /// </summary>
    static void Run<TKernel>(Operands op, int m, int n, bool parallel) where TKernel : IMicroKernel
    {
        if (!parallel)
        {
            Block<TKernel>(op, 0, m, 0, n);
            return;
        }
        int mr = TKernel.MR, nr = TKernel.NR;
        int colSlivers = (n + nr - 1) / nr, rowSlivers = (m + mr - 1) / mr;
        if (colSlivers >= 2 * CpuParallel.Cores || colSlivers >= rowSlivers)
            CpuParallel.For(colSlivers, 1, (s0, s1) => Block<TKernel>(op, 0, m, s0 * nr, Math.Min(n, s1 * nr)));
        else
            CpuParallel.For(rowSlivers, 1, (s0, s1) => Block<TKernel>(op, s0 * mr, Math.Min(m, s1 * mr), 0, n));
    }

    /// <summary>The blocked product for rows [i0, i1) and columns [j0, j1) of C, on the calling thread.</summary>
    static void Block<TKernel>(in Operands op, int i0, int i1, int j0, int j1) where TKernel : IMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR, k = op.K;
        // Equal blocks no bigger than the maxima (k = 288 is two blocks of 144, not 256 + 32).
        int kcStep = Split(k, KC, 1), mcStep = Split(i1 - i0, MC, mr);
        bool oneRowBlock = i1 - i0 <= mcStep;
        float* buffer = PackBuffers.Rent();
        try
        {
            float* aPack = buffer, bPack = buffer + PackBuffers.AFloats, tile = bPack + PackBuffers.BFloats;
            for (int jc = j0; jc < j1; jc += NC)
            {
                int nc = Math.Min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += kcStep)
                {
                    int kc = Math.Min(kcStep, k - pc);
                    bool load = op.Accumulate || pc > 0;
                    for (int ic = i0; ic < i1; ic += mcStep)
                    {
                        int mc = Math.Min(mcStep, i1 - ic);
                        for (int ir = 0; ir < mc; ir += mr)
                            PackA<TKernel>(op.A + (ic + ir) * op.ARow + pc * op.ACol, op.ARow, op.ACol,
                                Math.Min(mr, mc - ir), kc, aPack + ir * kc);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            // The B̄ sliver is packed when the first row block needs it, while it is hot in L1;
                            // with a single row block one sliver's room is enough.
                            float* bSliver = oneRowBlock ? bPack : bPack + jr * kc;
                            if (ic == i0)
                                PackB<TKernel>(op.B + pc * op.BRow + (jc + jr) * op.BCol, op.BRow, op.BCol, cols, kc, bSliver);
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int rows = Math.Min(mr, mc - ir);
                                float* c = op.C + (ic + ir) * op.CRow + (jc + jr) * op.CCol;
                                float* bias = pc == 0 && op.RowBias != null ? op.RowBias + ic + ir : null;
                                if (rows == mr && cols == nr && op.CCol == 1)
                                    TKernel.Run(kc, aPack + ir * kc, bSliver, c, op.CRow, load, bias);
                                else
                                {
                                    TKernel.Run(kc, aPack + ir * kc, bSliver, tile, nr, false, null);
                                    StorePartial(tile, nr, rows, cols, c, op.CRow, op.CCol, load, bias);
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            PackBuffers.Return(buffer);
        }
    }

    /// <summary>The step that cuts <paramref name="length"/> into equal blocks of at most <paramref name="max"/>, rounded up to a multiple of <paramref name="unit"/>.</summary>
    static int Split(int length, int max, int unit)
    {
        int blocks = (length + max - 1) / max;
        int step = (length + blocks - 1) / blocks;
        return (step + unit - 1) / unit * unit;
    }

    /// <summary>
    /// Packing buffers (64-byte aligned, one A block + one B panel + one tile each), kept in a few lock-free
    /// slots so that steady-state products allocate nothing; more than that in flight at once are allocated
    /// and freed.
    /// </summary>
    static class PackBuffers
    {
        /// <summary>Room for an MC×KC Ā block (MC rounded up to any MR), a KC×NC B̄ panel and a tile.</summary>
        public const int AFloats = (MC + 16) * KC, BFloats = KC * NC, TileFloats = 16 * 64;

        static readonly nint[] _free = new nint[4 * Math.Max(2, Environment.ProcessorCount)];

        public static float* Rent()
        {
            for (int i = 0; i < _free.Length; i++)
            {
                nint p = Interlocked.Exchange(ref _free[i], 0);
                if (p != 0) return (float*)p;
            }
            return (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(
                (nuint)(AFloats + BFloats + TileFloats) * sizeof(float), 64);
        }

        public static void Return(float* buffer)
        {
            for (int i = 0; i < _free.Length; i++)
                if (Interlocked.CompareExchange(ref _free[i], (nint)buffer, 0) == 0) return;
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
        }
    }
}
