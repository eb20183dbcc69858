using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Batched GEMM through strided layouts (docs/ops/dense.md). Forward and both backward products are this
// one kernel: a transpose is a swap of strides, the K targets of a gradient are extra batches, and an
// operand with fewer batches than the product (a weight, a saved forward input) is read modulo.
public sealed partial class IlgpuBackend
{
    /// <summary>Rows and columns of C computed by one work item (a register tile).</summary>
    const int TileM = 4, TileN = 8;

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _gemm;

    /// <summary>Sizes and layouts of one batched product C[b] = A[b] @ B[b] (A [M, K], B [K, N]).</summary>
    internal readonly struct GemmShape(int m, int k, int n, MatrixLayout a, MatrixLayout b, MatrixLayout c)
    {
        public readonly int M = m, K = k, N = n;
        public readonly MatrixLayout A = a, B = b, C = c;
        public int TilesM => (M + TileM - 1) / TileM;
        public int TilesN => (N + TileN - 1) / TileN;
    }

    /// <summary>Eight accumulators or operands along a row of the tile; a struct of scalars stays in registers.</summary>
    internal struct Row8
    {
        public float V0, V1, V2, V3, V4, V5, V6, V7;

        /// <summary>this + a · b, elementwise.</summary>
        public readonly Row8 Fma(float a, in Row8 b) => new()
        {
            V0 = V0 + a * b.V0, V1 = V1 + a * b.V1, V2 = V2 + a * b.V2, V3 = V3 + a * b.V3,
            V4 = V4 + a * b.V4, V5 = V5 + a * b.V5, V6 = V6 + a * b.V6, V7 = V7 + a * b.V7,
        };
    }

    /// <summary>Flat offsets of the tile's eight columns within a row (clamped to the last column at the edge).</summary>
    internal readonly struct Cols8(int j0, int n, int stride)
    {
        public readonly int O0 = Clamp(j0, n) * stride, O1 = Clamp(j0 + 1, n) * stride,
            O2 = Clamp(j0 + 2, n) * stride, O3 = Clamp(j0 + 3, n) * stride,
            O4 = Clamp(j0 + 4, n) * stride, O5 = Clamp(j0 + 5, n) * stride,
            O6 = Clamp(j0 + 6, n) * stride, O7 = Clamp(j0 + 7, n) * stride;

        static int Clamp(int j, int n) => j < n ? j : n - 1;

        public Row8 Load(ArrayView<float> v, int rowBase) => new()
        {
            V0 = v[rowBase + O0], V1 = v[rowBase + O1], V2 = v[rowBase + O2], V3 = v[rowBase + O3],
            V4 = v[rowBase + O4], V5 = v[rowBase + O5], V6 = v[rowBase + O6], V7 = v[rowBase + O7],
        };
    }

    static int Min(int a, int b) => a < b ? a : b;

    // One work item = one 4x8 tile of one C matrix. Rows and columns past the edge are clamped to the last
    // valid one for loading (so the inner loop has no branches) and skipped when storing. Tiles are numbered
    // down the columns of C: consecutive items (one CPU thread's block, or neighbouring GPU threads) share
    // one K x 8 strip of B, which stays in cache while they stream rows of A (1.5x faster at 197x768x2304).
    static void GemmKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int tilesPerMatrix = s.TilesM * s.TilesN;
        for (int chunk = t * w.Chunk; chunk < w.N; chunk += w.Stride)
            for (int item = chunk; item < w.End(chunk); item++)
            {
                int batch = item / tilesPerMatrix, tile = item % tilesPerMatrix;
                int i0 = tile % s.TilesM * TileM, j0 = tile / s.TilesM * TileN;
                int aBase = batch % s.A.Batches * s.A.BatchStride;
                int bBase = batch % s.B.Batches * s.B.BatchStride;
                int a0 = aBase + i0 * s.A.RowStride;
                int a1 = aBase + Min(i0 + 1, s.M - 1) * s.A.RowStride;
                int a2 = aBase + Min(i0 + 2, s.M - 1) * s.A.RowStride;
                int a3 = aBase + Min(i0 + 3, s.M - 1) * s.A.RowStride;
                var cols = new Cols8(j0, s.N, s.B.ColStride);
                Row8 c0 = default, c1 = default, c2 = default, c3 = default;
                for (int p = 0; p < s.K; p++)
                {
                    var bRow = cols.Load(b, bBase + p * s.B.RowStride);
                    int ap = p * s.A.ColStride;
                    c0 = c0.Fma(a[a0 + ap], bRow);
                    c1 = c1.Fma(a[a1 + ap], bRow);
                    c2 = c2.Fma(a[a2 + ap], bRow);
                    c3 = c3.Fma(a[a3 + ap], bRow);
                }
                int cBase = batch % s.C.Batches * s.C.BatchStride;
                StoreRow(c, s, cBase, i0, j0, c0);
                StoreRow(c, s, cBase, i0 + 1, j0, c1);
                StoreRow(c, s, cBase, i0 + 2, j0, c2);
                StoreRow(c, s, cBase, i0 + 3, j0, c3);
            }
    }

    static void StoreRow(ArrayView<float> c, in GemmShape s, int cBase, int i, int j0, in Row8 r)
    {
        if (i >= s.M) return;
        int row = cBase + i * s.C.RowStride, cs = s.C.ColStride, n = s.N;
        if (j0 < n) c[row + j0 * cs] = r.V0;
        if (j0 + 1 < n) c[row + (j0 + 1) * cs] = r.V1;
        if (j0 + 2 < n) c[row + (j0 + 2) * cs] = r.V2;
        if (j0 + 3 < n) c[row + (j0 + 3) * cs] = r.V3;
        if (j0 + 4 < n) c[row + (j0 + 4) * cs] = r.V4;
        if (j0 + 5 < n) c[row + (j0 + 5) * cs] = r.V5;
        if (j0 + 6 < n) c[row + (j0 + 6) * cs] = r.V6;
        if (j0 + 7 < n) c[row + (j0 + 7) * cs] = r.V7;
    }

    public void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n)
    {
        if (!BackendChecks.Gemm(a, la, b, lb, c, lc, batch, m, k, n)) return;
        var s = new GemmShape(m, k, n, la, lb, lc);
        long items = (long)batch * s.TilesM * s.TilesN;
        Require(items <= int.MaxValue, "gemm: too many tiles");
        var (threads, w) = Plan((int)items);
        _gemm ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernel);
        _gemm(threads, w, a.View, b.View, c.View, s);
    }
}
