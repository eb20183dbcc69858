using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// to KC steps and the rows into blocks of up to MC; each K block of a panel of B is packed into NR-wide
/// slivers (<see cref="PackPanel{TKernel}"/>) and each row block of A into MR-tall slivers
/// (<see cref="PackA{TKernel}"/>), and a register-blocked micro-kernel (Sgemm.Kernels.cs) computes each MR×NR
/// tile of C from one sliver of each. A B̄ sliver (KC×NR floats) stays in L1 while the Ā slivers of a row
/// block stream from L2. Sgemm.Parallel.cs spreads a product over the cores.
/// </remarks>
internal static unsafe partial class Sgemm
{
    /// <summary>Which micro-kernel runs.</summary>
    internal enum Path { Auto, Vector512, Vector256, Vector128, Scalar }

    /// <summary>Tests and benchmarks force a path with this; <see cref="Path.Auto"/> picks the widest accelerated one.</summary>
    internal static Path Override { get; set; } = Path.Auto;

    /// <summary>The path <see cref="Multiply"/> takes now.</summary>
    internal static Path Current => Override != Path.Auto ? Override
        : Vector512.IsHardwareAccelerated ? Path.Vector512
        : Vector256.IsHardwareAccelerated ? Path.Vector256
        : Vector128.IsHardwareAccelerated ? Path.Vector128
        : Path.Scalar;

    /// <summary>Most K steps per packed block: a KC×NR B̄ sliver (32 KB at NR = 32) fits in L1.</summary>
    internal static int KC = 256;

    /// <summary>Most rows per packed A block: MC×KC floats (256 KB) stay in L2 while the B̄ slivers go past.</summary>
    internal static int MC = 256;

    /// <summary>Most columns per packed B panel (KC×NC floats, 2 MB, in L2/L3), reused by every row block.</summary>
    // KC, MC and NC are settable for the benchmarks' blocking sweeps and the tests' small-block runs.
    internal static int NC = 2048;

    /// <summary>
    /// Below this many multiply-adds (m·n·k) a product runs on the calling thread: ~20–40 µs of work, where
    /// handing half to another core stops paying for the wake-up (measured: 64³ took 5 µs alone, 16 µs split).
    /// Settable so that tests can take the parallel paths at small sizes.
    /// </summary>
    internal static long ParallelThreshold = 1 << 21;

    /// <param name="packedA">A already packed by <see cref="PackedA"/> (same m and k), or null to pack it here.</param>
    public static void Multiply(int m, int n, int k,
        float* a, long aRow, long aCol, float* b, long bRow, long bCol, float* c, long cRow, long cCol,
        bool accumulate = false, bool parallel = true, float* rowBias = null, PackedA? packedA = null)
    {
        if (m <= 0 || n <= 0) return;
        if (packedA != null && (packedA.M != m || packedA.K != k || packedA.MR != MRFor(Current)))
            throw new ArgumentException($"packed A is {packedA.M}x{packedA.K} for MR {packedA.MR}, the product needs {m}x{k} for MR {MRFor(Current)}");
        var op = new Operands(k, a, aRow, aCol, b, bRow, bCol, c, cRow, cCol, accumulate, rowBias);
        if (packedA != null) op = op.With(packedA);
        if (k <= 0)
        {
            op.FillWithoutProduct(m, n);
            return;
        }
        parallel &= CpuParallel.Cores > 1 && (long)m * n * k >= ParallelThreshold;
        switch (Current)
        {
            case Path.Vector512: Run<Kernel512>(op, m, n, parallel); break;
            case Path.Vector256: Run<Kernel6<V256>>(op, m, n, parallel); break;
            case Path.Vector128: Run<Kernel6<V128>>(op, m, n, parallel); break;
            default: Run<KernelScalar>(op, m, n, parallel); break;
        }
    }

    /// <summary>The three matrices of one product and what the store adds.</summary>
    readonly struct Operands(int k, float* a, long aRow, long aCol, float* b, long bRow, long bCol,
        float* c, long cRow, long cCol, bool accumulate, float* rowBias, float* aPacked = null, int aPackedRows = 0)
    {
        public readonly int K = k;
        public readonly float* A = a, B = b, C = c, RowBias = rowBias;

        /// <summary>All of A in packed form (<see cref="PackedA"/>: the K block at step pc starts at pc·APackedRows,
        /// row sliver i of it at i·kc), or null: each block packs its own.</summary>
        public readonly float* APacked = aPacked;
        public readonly int APackedRows = aPackedRows;
        public readonly long ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol, CRow = cRow, CCol = cCol;
        public readonly bool Accumulate = accumulate;

        /// <summary>The product over K steps [p0, p1) only.</summary>
        public Operands Part(int p0, int p1) =>
            new(p1 - p0, A + p0 * ACol, ARow, ACol, B + p0 * BRow, BRow, BCol, C, CRow, CCol, Accumulate, RowBias);
        // (A packed for all of K has other block boundaries: a part packs its own.)

        /// <summary>The same product written to a row-major scratch C (row stride n), overwritten, without bias.</summary>
        public Operands Into(float* c, int n) => new(K, A, ARow, ACol, B, BRow, BCol, c, n, 1, false, null, APacked, APackedRows);

        /// <summary>The same product with A taken from <paramref name="packed"/>.</summary>
        public Operands With(PackedA packed) => new(K, A, ARow, ACol, B, BRow, BCol, C, CRow, CCol, Accumulate, RowBias, packed.Data, packed.PaddedRows);

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

    /// <summary>The blocked product for rows [i0, i1) and columns [j0, j1) of C, on the calling thread.</summary>
    // Fully optimised from the first call: a GEMM calls this a few times only, so tiering would leave it in
    // tier-0 / on-stack-replacement code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block<TKernel>(in Operands op, int i0, int i1, int j0, int j1) where TKernel : IMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR, k = op.K;
        // Equal blocks no bigger than the maxima (k = 288 is two blocks of 144, not 256 + 32).
        int kcStep = Split(k, KC, 1), mcStep = Split(i1 - i0, MC, mr);
        int ncStep = Math.Min(NC, j1 - j0);
        // Room for one Ā block, one B̄ panel and a tile, each 64-byte aligned.
        long aFloats = op.APacked != null ? 0 : Align16((long)mcStep * kcStep), bFloats = Align16((long)(ncStep + nr) * kcStep);
        float* buffer = PackBuffers.Rent(aFloats + bFloats + mr * nr);
        try
        {
            float* aPack = buffer, bPack = buffer + aFloats, tile = bPack + bFloats;
            for (int jc = j0; jc < j1; jc += ncStep)
            {
                int nc = Math.Min(ncStep, j1 - jc);
                for (int pc = 0; pc < k; pc += kcStep)
                {
                    int kc = Math.Min(kcStep, k - pc);
                    bool load = op.Accumulate || pc > 0;
                    // The whole B̄ panel first: B is read in long runs, and every row block reuses the panel.
                    PackPanel<TKernel>(op.B + pc * op.BRow + jc * op.BCol, op.BRow, op.BCol, nc, kc, bPack);
                    for (int ic = i0; ic < i1; ic += mcStep)
                    {
                        int mc = Math.Min(mcStep, i1 - ic);
                        if (op.APacked != null) aPack = op.APacked + (long)pc * op.APackedRows + (long)ic * kc;
                        else
                            for (int ir = 0; ir < mc; ir += mr)
                                PackA<TKernel>(op.A + (ic + ir) * op.ARow + pc * op.ACol, op.ARow, op.ACol,
                                    Math.Min(mr, mc - ir), kc, aPack + ir * kc);
                        // While the kernels work on this panel, pull the B source of the next one towards L2, one
                        // sliver's share per sliver, so that packing it reads cache instead of DRAM (B row- or
                        // column-major only; the memory-bound shapes are the small-m and long-K ones).
                        float* next = null;
                        int nextKc = 0, nextNc = 0;
                        if (ic == i0 && (op.BCol == 1 || op.BRow == 1))
                        {
                            if (pc + kc < k)
                            {
                                next = op.B + (pc + kc) * op.BRow + jc * op.BCol;
                                (nextKc, nextNc) = (Math.Min(kcStep, k - pc - kc), nc);
                            }
                            else if (jc + nc < j1)
                            {
                                next = op.B + (jc + nc) * op.BCol;
                                (nextKc, nextNc) = (Math.Min(kcStep, k), Math.Min(ncStep, j1 - jc - nc));
                            }
                        }
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            if (next != null && jr < nextNc) PrefetchSliver(next, op.BRow, op.BCol, jr, Math.Min(nr, nextNc - jr), nextKc);
                            float* bSliver = bPack + jr * kc;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int rows = Math.Min(mr, mc - ir);
                                float* c = op.C + (ic + ir) * op.CRow + (jc + jr) * op.CCol;
                                float* bias = pc == 0 && op.RowBias != null ? op.RowBias + ic + ir : null;
                                if (rows == mr && cols == nr && op.CCol == 1)
                                    TKernel.Run(kc, aPack + ir * kc, new SliverRows(bSliver, nr), c, op.CRow, load, bias);
                                else
                                {
                                    TKernel.Run(kc, aPack + ir * kc, new SliverRows(bSliver, nr), tile, nr, false, null);
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

    /// <summary>Prefetches (to L2) the part of B a sliver of columns [j0, j0 + cols) over kc steps reads; B row- or column-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PrefetchSliver(float* b, long bRow, long bCol, int j0, int cols, int kc)
    {
        if (!Sse.IsSupported) return;
        if (bCol == 1)
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < cols; j += 16) Sse.Prefetch1(b + p * bRow + j0 + j);
        else
            for (int j = 0; j < cols; j++)
                for (int p = 0; p < kc; p += 16) Sse.Prefetch1(b + (j0 + j) * bCol + p);
    }

    static long Align16(long floats) => (floats + 15) & ~15L;

    /// <summary>The K block length of a product over <paramref name="k"/> steps (equal blocks of at most KC).</summary>
    internal static int KStep(int k) => Split(k, KC, 1);

    /// <summary>Floats of the largest micro-tile (MR·NR over the kernels): scratch for an edge tile.</summary>
    internal const int MaxTile = 8 * 32;

    /// <summary>The step that cuts <paramref name="length"/> into equal blocks of at most <paramref name="max"/>, rounded up to a multiple of <paramref name="unit"/>.</summary>
    static int Split(int length, int max, int unit)
    {
        int blocks = (length + max - 1) / max;
        int step = (length + blocks - 1) / blocks;
        return (step + unit - 1) / unit * unit;
    }
}
