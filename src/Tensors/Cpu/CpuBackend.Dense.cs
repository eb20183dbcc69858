using System.Buffers;
using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// Row-wise softmax and layer norm (one row per work item, a few passes over a row that stays in L1), the
// middle-axis reductions and the strided copy behind permute/narrow. Semantics follow Kernels/Softmax.cs,
// LayerNorm.cs, Reduce.cs and StridedCopy.cs; validation is the same.
public sealed unsafe partial class CpuBackend
{
    /// <summary>Rows per range so that a range holds ~16K elements of work.</summary>
    static int RowsPerRange(int n) => Simd.PerRange(n);

    public void Softmax(Tensor x, Tensor y, int n)
    {
        SameLength(x, y, "softmax");
        Require(n > 0 && x.Length % n == 0, $"softmax: rows of {n} do not tile {Tensor.Format(x.Shape)}");
        Simd.For(_width, x.Length / n, RowsPerRange(n), new SoftmaxRows(x.Pointer, y.Pointer, n));
    }

    public void SoftmaxBackward(Tensor y, Tensor gy, Tensor gx, int n)
    {
        SameLength(gy, gx, "softmax backward");
        TargetCount(y, gy, "softmax backward");
        Require(n > 0 && y.Length % n == 0, $"softmax backward: rows of {n} do not tile {Tensor.Format(y.Shape)}");
        Simd.For(_width, gy.Length / n, RowsPerRange(n), new SoftmaxBackwardRows(y.Pointer, y.Length / n, gy.Pointer, gx.Pointer, n));
    }

    public void LayerNorm(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor stats, float eps)
    {
        SameLength(x, y, "layernorm");
        SameLength(gamma, beta, "layernorm gamma/beta");
        CheckLayerNorm(x, gamma, stats, "layernorm");
        int n = gamma.Length;
        Simd.For(_width, x.Length / n, RowsPerRange(n), new LayerNormRows(x.Pointer, gamma.Pointer, beta.Pointer, y.Pointer, stats.Pointer, n, eps));
    }

    public void LayerNormBackward(Tensor x, Tensor gamma, Tensor stats, Tensor gy, Tensor gx)
    {
        SameLength(gy, gx, "layernorm backward");
        TargetCount(x, gy, "layernorm backward");
        CheckLayerNorm(x, gamma, stats, "layernorm backward");
        int n = gamma.Length;
        Simd.For(_width, gy.Length / n, RowsPerRange(n), new LayerNormBackwardRows(x.Pointer, gamma.Pointer, stats.Pointer, gy.Pointer, gx.Pointer, n, x.Length / n));
    }

    /// <summary>Column sums over each target's rows; items are (k, block of 64 columns), so each output has one owner.</summary>
    public void LayerNormBackwardAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta)
    {
        var (k, n) = BackendChecks.LayerNormAffine(x, stats, gy, ggamma, gbeta);
        var kernel = new LayerNormAffineColumns(x.Pointer, stats.Pointer, gy.Pointer, ggamma.Pointer, gbeta.Pointer, n, x.Length / n);
        Simd.For(_width, k * kernel.Blocks, Simd.PerRange((long)(x.Length / n) * LayerNormAffineColumns.Columns), kernel);
    }

    static void CheckLayerNorm(Tensor x, Tensor gamma, Tensor stats, string what)
    {
        int n = gamma.Length;
        Require(n > 0 && x.Length % n == 0, $"{what}: rows of {n} (gamma) do not tile {Tensor.Format(x.Shape)}");
        Require(stats.Length == 2 * (x.Length / n), $"{what}: stats must hold 2 values per row ({2 * (x.Length / n)}), not {stats.Length}");
    }

    /// <summary>Longer rows (inner = 1) are summed in blocks of this many elements, then the block sums in order.</summary>
    const int ReduceBlock = 65536;

    /// <summary>
    /// inner = 1: each row of <c>reduced</c> contiguous elements is reduced with vector accumulators; rows longer
    /// than <see cref="ReduceBlock"/> are cut into fixed blocks reduced in parallel, whose partial results are
    /// combined in block order (the split does not depend on the core count). inner &gt; 1: column sums or maxima
    /// over the reduced rows, vectorised along inner, items (o, block of inner).
    /// </summary>
    public void Reduce(ReduceOp op, Tensor x, Tensor y, int outer, int reduced, int inner)
    {
        BackendChecks.Known(op);
        CheckReduce(x.Length, outer, reduced, inner, $"{op}");
        Require(y.Length == outer * inner, $"{op}: output has {y.Length} elements, expected {outer * inner}");
        if (y.Length == 0) return;
        if (inner > 1)
        {
            var columns = new ReduceColumns(op, x.Pointer, y.Pointer, null, reduced, inner);
            Simd.For(_width, outer * columns.Blocks, Simd.PerRange((long)reduced * ReduceColumns.Columns), columns);
            return;
        }
        int blocks = (reduced + ReduceBlock - 1) / ReduceBlock;
        if (blocks == 1)
        {
            Simd.For(_width, outer, Simd.PerRange(reduced), new ReduceRows(op, x.Pointer, y.Pointer, reduced, reduced));
            return;
        }
        var partial = ArrayPool<float>.Shared.Rent(outer * blocks);
        try
        {
            fixed (float* p = partial)
            {
                Simd.For(_width, outer * blocks, 1, new ReduceRows(op, x.Pointer, p, reduced, ReduceBlock));
                float* py = y.Pointer;
                for (int o = 0; o < outer; o++)
                {
                    float r = p[o * blocks];
                    for (int b = 1; b < blocks; b++) r = op == ReduceOp.Max ? (p[o * blocks + b] > r ? p[o * blocks + b] : r) : r + p[o * blocks + b];
                    py[o] = op == ReduceOp.Mean ? r / reduced : r;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    /// <summary>
    /// Sum and Mean broadcast gy back over the reduced axis, a flat loop over gx. Max first finds the first
    /// maximal row r*(o, i) of x (the forward's tie rule), then writes gy where r = r* and 0 elsewhere.
    /// </summary>
    public void ReduceBackward(ReduceOp op, Tensor x, Tensor gy, Tensor gx, int outer, int reduced, int inner)
    {
        BackendChecks.Known(op);
        CheckReduce(x.Length, outer, reduced, inner, $"{op} backward");
        int k = TargetCount(x, gx, $"{op} backward");
        Require(gy.Length == k * outer * inner, $"{op} backward: gradient of the output has {gy.Length} elements, expected {k * outer * inner}");
        if (gy.Length == 0) return;
        if (op != ReduceOp.Max)
        {
            Simd.For(_width, gx.Length, ElementsPerRange, new ReduceBroadcast(gy.Pointer, gx.Pointer, reduced, inner, op == ReduceOp.Mean));
            return;
        }
        var argmax = ArrayPool<int>.Shared.Rent(outer * inner);
        try
        {
            fixed (int* arg = argmax)
            {
                var scratch = ArrayPool<float>.Shared.Rent(outer * inner);
                try
                {
                    fixed (float* max = scratch)
                    {
                        if (inner > 1)
                        {
                            var columns = new ReduceColumns(ReduceOp.Max, x.Pointer, max, arg, reduced, inner);
                            Simd.For(_width, outer * columns.Blocks, Simd.PerRange((long)reduced * ReduceColumns.Columns), columns);
                        }
                        else Simd.For(_width, outer, Simd.PerRange(reduced), new RowArgmax(x.Pointer, arg, reduced));
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
                Simd.For(_width, k * outer * reduced, Simd.PerRange(inner), new MaxScatter(gy.Pointer, gx.Pointer, arg, outer, reduced, inner));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(argmax);
        }
    }

    static void CheckReduce(int length, int outer, int reduced, int inner, string what) =>
        Require(outer >= 0 && reduced > 0 && inner > 0 && (long)outer * reduced * inner == length,
            $"{what}: [{outer}, {reduced}, {inner}] does not view {length} elements");

    /// <summary>
    /// Drops size-1 dimensions and merges neighbours contiguous in both source and destination (a permute of
    /// [B, T, H, D] keeps D whole; a plain copy becomes one run), then copies by the shape of what is left:
    /// runs contiguous on both sides with a block copy, a 2-D transpose (some dimension contiguous in the
    /// source, the last one in the destination) by 16×16 tiles that stay in L1, anything else element by
    /// element along the last dimension. Ranges are over whole rows (tiles), each owning its destination elements.
    /// </summary>
    public void StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset)
    {
        if (BackendChecks.StridedCopy(src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset) == 0) return;
        var plan = CopyPlan.Create(shape, srcStrides, dstStrides);
        Require(plan.Rank <= IlgpuBackend.MaxCopyRank, $"strided copy: {plan.Rank} dimensions after merging, at most {IlgpuBackend.MaxCopyRank}");
        var kernel = new StridedCopyKernel(plan, src.Pointer + srcOffset, dst.Pointer + dstOffset);
        CpuParallel.For(kernel.Items, Math.Max(1, ElementsPerRange / kernel.ItemSize), kernel.Run);
    }
}

internal readonly unsafe struct SoftmaxRows(float* x, float* y, int n) : ISimdKernel
{
    readonly float* _x = x, _y = y;
    readonly int _n = n;

    // Subtracting the row maximum keeps every exponent ≤ 0: no overflow, same result. Lanes past the end of
    // the row read −∞, whose exponential is 0, so the ragged end adds nothing to the sum.
    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int n = _n;
        for (int row = start; row < end; row++)
        {
            float* x = _x + (long)row * n, y = _y + (long)row * n;
            var max = V.Splat(Simd.Max<V>(x, n));
            V sum = V.Splat(0f);
            int i = 0;
            for (; i <= n - V.Count; i += V.Count)
            {
                var e = SimdMath.Exp(V.Load(x + i) - max);
                V.Store(e, y + i);
                sum += e;
            }
            if (i < n)
            {
                var e = SimdMath.Exp(V.LoadPartial(x + i, n - i, float.NegativeInfinity) - max);
                V.StorePartial(e, y + i, n - i);
                sum += e;
            }
            Simd.Scale<V>(y, y, n, 1f / V.Sum(sum));
        }
    }
}

/// <summary>gx = y ⊙ (gy − ⟨gy, y⟩) per row of the K·rows gradient; the saved output row is row mod rows.</summary>
internal readonly unsafe struct SoftmaxBackwardRows(float* y, int rows, float* gy, float* gx, int n) : ISimdKernel
{
    readonly float* _y = y, _gy = gy, _gx = gx;
    readonly int _rows = rows, _n = n;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int n = _n;
        for (int row = start; row < end; row++)
        {
            float* y = _y + (long)(row % _rows) * n, gy = _gy + (long)row * n, gx = _gx + (long)row * n;
            float dot = Simd.Dot<V>(gy, y, n);
            var vdot = V.Splat(dot);
            int i = 0;
            for (; i <= n - V.Count; i += V.Count) V.Store(V.Load(y + i) * (V.Load(gy + i) - vdot), gx + i);
            for (; i < n; i++) gx[i] = y[i] * (gy[i] - dot);
        }
    }
}

/// <summary>
/// Per row: the mean (summed relative to the row's first element), the biased variance as the mean of squared
/// deviations (a second pass: no cancellation for rows with a large mean), then y and stats.
/// </summary>
internal readonly unsafe struct LayerNormRows(float* x, float* gamma, float* beta, float* y, float* stats, int n, float eps) : ISimdKernel
{
    readonly float* _x = x, _gamma = gamma, _beta = beta, _y = y, _stats = stats;
    readonly int _n = n;
    readonly float _eps = eps;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int n = _n;
        for (int row = start; row < end; row++)
        {
            float* x = _x + (long)row * n, y = _y + (long)row * n;
            float mean = x[0] + Simd.Sum<V>(x, n, x[0]) / n;
            float rstd = 1f / MathF.Sqrt(Simd.SumSquaredDeviations<V>(x, n, mean) / n + _eps);
            V m = V.Splat(mean), r = V.Splat(rstd);
            int i = 0;
            for (; i <= n - V.Count; i += V.Count)
                V.Store(V.Fma((V.Load(x + i) - m) * r, V.Load(_gamma + i), V.Load(_beta + i)), y + i);
            for (; i < n; i++) y[i] = (x[i] - mean) * rstd * _gamma[i] + _beta[i];
            _stats[2 * row] = mean;
            _stats[2 * row + 1] = rstd;
        }
    }
}

/// <summary>
/// Per gradient row (K·rows of them), with g = gy ⊙ gamma and x̂ = (x − mean)·rstd:
/// gx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)); x and stats are read at row mod rows.
/// </summary>
internal readonly unsafe struct LayerNormBackwardRows(float* x, float* gamma, float* stats, float* gy, float* gx, int n, int rows) : ISimdKernel
{
    readonly float* _x = x, _gamma = gamma, _stats = stats, _gy = gy, _gx = gx;
    readonly int _n = n, _rows = rows;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int n = _n;
        for (int row = start; row < end; row++)
        {
            int fr = row % _rows;
            float* x = _x + (long)fr * n, gy = _gy + (long)row * n, gx = _gx + (long)row * n;
            float mean = _stats[2 * fr], rstd = _stats[2 * fr + 1];
            V m = V.Splat(mean), r = V.Splat(rstd), sumG = V.Splat(0f), sumGx = sumG;
            int i = 0;
            for (; i <= n - V.Count; i += V.Count)
            {
                var g = V.Load(gy + i) * V.Load(_gamma + i);
                sumG += g;
                sumGx = V.Fma(g, (V.Load(x + i) - m) * r, sumGx);
            }
            float tailG = 0, tailGx = 0;
            for (int j = i; j < n; j++)
            {
                float g = gy[j] * _gamma[j];
                tailG += g;
                tailGx += g * ((x[j] - mean) * rstd);
            }
            float meanG = (V.Sum(sumG) + tailG) / n, meanGx = (V.Sum(sumGx) + tailGx) / n;
            V mg = V.Splat(meanG), mgx = V.Splat(meanGx);
            for (i = 0; i <= n - V.Count; i += V.Count)
            {
                var xhat = (V.Load(x + i) - m) * r;
                V.Store(r * (V.Load(gy + i) * V.Load(_gamma + i) - mg - xhat * mgx), gx + i);
            }
            for (; i < n; i++) gx[i] = rstd * (gy[i] * _gamma[i] - meanG - (x[i] - mean) * rstd * meanGx);
        }
    }
}

/// <summary>ggamma[k, j] = Σ_r gy[k, r, j]·x̂[r, j] and gbeta[k, j] = Σ_r gy[k, r, j]; items (k, block of 64 columns).</summary>
internal readonly unsafe struct LayerNormAffineColumns(float* x, float* stats, float* gy, float* ggamma, float* gbeta, int n, int rows) : ISimdKernel
{
    public const int Columns = 64;
    readonly float* _x = x, _stats = stats, _gy = gy, _ggamma = ggamma, _gbeta = gbeta;
    readonly int _n = n, _rows = rows;

    public int Blocks => (_n + Columns - 1) / Columns;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int item = start; item < end; item++)
        {
            int k = item / Blocks, j0 = item % Blocks * Columns, j1 = Math.Min(_n, j0 + Columns);
            float* gyk = _gy + (long)k * _rows * _n;
            for (int j = j0; j < j1; j += V.Count)
            {
                int m = Math.Min(V.Count, j1 - j);
                V sumGamma = V.Splat(0f), sumBeta = sumGamma;
                for (int r = 0; r < _rows; r++)
                {
                    long at = (long)r * _n + j;
                    V g = m == V.Count ? V.Load(gyk + at) : V.LoadPartial(gyk + at, m, 0f);
                    V xv = m == V.Count ? V.Load(_x + at) : V.LoadPartial(_x + at, m, 0f);
                    sumGamma = V.Fma(g, (xv - V.Splat(_stats[2 * r])) * V.Splat(_stats[2 * r + 1]), sumGamma);
                    sumBeta += g;
                }
                long o = (long)k * _n + j;
                if (m == V.Count)
                {
                    V.Store(sumGamma, _ggamma + o);
                    V.Store(sumBeta, _gbeta + o);
                }
                else
                {
                    V.StorePartial(sumGamma, _ggamma + o, m);
                    V.StorePartial(sumBeta, _gbeta + o, m);
                }
            }
        }
    }
}

/// <summary>inner = 1: item i reduces elements [i·block, i·block + length) of rows of <c>reduced</c> (block = reduced: whole rows).</summary>
internal readonly unsafe struct ReduceRows(ReduceOp op, float* x, float* y, int reduced, int block) : ISimdKernel
{
    readonly ReduceOp _op = op;
    readonly float* _x = x, _y = y;
    readonly int _reduced = reduced, _block = block;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int blocks = (_reduced + _block - 1) / _block;
        for (int item = start; item < end; item++)
        {
            int row = item / blocks, b0 = item % blocks * _block, n = Math.Min(_block, _reduced - b0);
            float* x = _x + (long)row * _reduced + b0;
            float r = _op == ReduceOp.Max ? Simd.Max<V>(x, n) : Simd.Sum<V>(x, n);
            _y[item] = _op == ReduceOp.Mean && blocks == 1 ? r / _reduced : r;
        }
    }
}

/// <summary>inner &gt; 1: y[o, i] (and the first maximal row for Max) over x[o, :, i]; items (o, block of 64 i).</summary>
internal readonly unsafe struct ReduceColumns(ReduceOp op, float* x, float* y, int* argmax, int reduced, int inner) : ISimdKernel
{
    public const int Columns = 64;
    readonly ReduceOp _op = op;
    readonly float* _x = x, _y = y;
    readonly int* _argmax = argmax;
    readonly int _reduced = reduced, _inner = inner;

    public int Blocks => (_inner + Columns - 1) / Columns;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int item = start; item < end; item++)
        {
            int o = item / Blocks, i0 = item % Blocks * Columns, n = Math.Min(Columns, _inner - i0);
            float* x = _x + (long)o * _reduced * _inner + i0, y = _y + (long)o * _inner + i0;
            if (_op == ReduceOp.Max)
            {
                Simd.ColumnMax<V>(x, _inner, _reduced, y, _argmax == null ? null : _argmax + (long)o * _inner + i0, n);
                continue;
            }
            Simd.ColumnSums<V>(x, null, _inner, _reduced, y, n);
            if (_op == ReduceOp.Mean) Simd.Divide<V>(y, y, n, _reduced);
        }
    }
}

/// <summary>The first maximal element of each contiguous row (the maximum, then the first index holding it).</summary>
internal readonly unsafe struct RowArgmax(float* x, int* argmax, int reduced) : ISimdKernel
{
    readonly float* _x = x;
    readonly int* _argmax = argmax;
    readonly int _reduced = reduced;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int row = start; row < end; row++)
        {
            float* x = _x + (long)row * _reduced;
            _argmax[row] = Math.Max(0, Simd.IndexOf<V>(x, _reduced, Simd.Max<V>(x, _reduced)));
        }
    }
}

/// <summary>gx[k, o, r, i] = gy[k, o, i] (÷ reduced for Mean), a flat loop over gx in runs of inner.</summary>
internal readonly unsafe struct ReduceBroadcast(float* gy, float* gx, int reduced, int inner, bool mean) : ISimdKernel
{
    readonly float* _gy = gy, _gx = gx;
    readonly int _reduced = reduced, _inner = inner;
    readonly bool _mean = mean;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int g = start; g < end;)
        {
            int n;
            if (_inner == 1)
            {
                int ko = g / _reduced;
                n = Math.Min(end - g, (ko + 1) * _reduced - g);
                Simd.Fill<V>(_gx + g, n, _mean ? _gy[ko] / _reduced : _gy[ko]);
            }
            else
            {
                int row = g / _inner, i = g % _inner;
                n = Math.Min(end - g, _inner - i);
                float* gy = _gy + (long)(row / _reduced) * _inner + i;
                if (_mean) Simd.Divide<V>(gy, _gx + g, n, _reduced);
                else Buffer.MemoryCopy(gy, _gx + g, (long)n * sizeof(float), (long)n * sizeof(float));
            }
            g += n;
        }
    }
}

/// <summary>Max backward: row (k, o, r) of gx gets gy[k, o, i] where r is the first maximal row of x[o, :, i], else 0.</summary>
internal readonly unsafe struct MaxScatter(float* gy, float* gx, int* argmax, int outer, int reduced, int inner) : ISimdKernel
{
    readonly float* _gy = gy, _gx = gx;
    readonly int* _argmax = argmax;
    readonly int _outer = outer, _reduced = reduced, _inner = inner;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int row = start; row < end; row++)
        {
            int ko = row / _reduced, r = row % _reduced, o = ko % _outer;
            float* gx = _gx + (long)row * _inner, gy = _gy + (long)ko * _inner;
            int* arg = _argmax + (long)o * _inner;
            for (int i = 0; i < _inner; i++) gx[i] = arg[i] == r ? gy[i] : 0f;
        }
    }
}

/// <summary>The index space of a strided copy after merging: outermost dimension first, strides in elements.</summary>
internal sealed class CopyPlan
{
    public int[] Size = [], Src = [], Dst = [];

    public int Rank => Size.Length;

    public static CopyPlan Create(int[] shape, int[] srcStrides, int[] dstStrides)
    {
        var size = new List<int>();
        var src = new List<int>();
        var dst = new List<int>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            if (size.Count > 0 && src[^1] == (long)srcStrides[d] * shape[d] && dst[^1] == (long)dstStrides[d] * shape[d])
            {
                size[^1] *= shape[d];
                src[^1] = srcStrides[d];
                dst[^1] = dstStrides[d];
                continue;
            }
            size.Add(shape[d]);
            src.Add(srcStrides[d]);
            dst.Add(dstStrides[d]);
        }
        if (size.Count == 0) return new CopyPlan { Size = [1], Src = [0], Dst = [0] };
        return new CopyPlan { Size = [.. size], Src = [.. src], Dst = [.. dst] };
    }
}

/// <summary>
/// One strided copy. A single dimension (a plain or evenly strided copy) is split by elements. Otherwise the
/// last dimension is the row; the others are walked by an odometer from the start of each range. In the tiled case, dimension <c>_tileDim</c> (source stride 1) and the row (destination
/// stride 1) form a transpose done tile by tile, and an item is one band of 16 indices of the tiled dimension.
/// </summary>
internal readonly unsafe struct StridedCopyKernel
{
    const int Tile = 16;
    readonly CopyPlan _p;
    readonly float* _src, _dst;
    readonly int _tileDim; // −1: no tiling

    public StridedCopyKernel(CopyPlan plan, float* src, float* dst)
    {
        _p = plan;
        _src = src;
        _dst = dst;
        _tileDim = -1;
        int last = plan.Rank - 1;
        if (plan.Src[last] != 1 && plan.Dst[last] == 1 && plan.Size[last] >= Tile)
            for (int d = last - 1; d >= 0; d--)
                if (plan.Src[d] == 1 && plan.Size[d] >= Tile) { _tileDim = d; break; }
    }

    int RowLength => _p.Size[^1];

    bool Flat => _p.Rank == 1;

    /// <summary>Work items: elements (flat), rows, or (rows of the dimensions other than the tiled one) × bands of 16.</summary>
    public int Items => Flat ? RowLength : _tileDim < 0 ? RowCount : RowCount / _p.Size[_tileDim] * Bands;

    int Bands => (_p.Size[_tileDim] + Tile - 1) / Tile;

    /// <summary>Elements one item copies.</summary>
    public int ItemSize => Flat ? 1 : _tileDim < 0 ? RowLength : RowLength * Tile;

    int RowCount
    {
        get
        {
            int rows = 1;
            for (int d = 0; d < _p.Rank - 1; d++) rows *= _p.Size[d];
            return rows;
        }
    }

    [MethodImpl(Simd.Hot)]
    public void Run(int start, int end)
    {
        if (Flat) Copy(_src + (long)start * _p.Src[0], _p.Src[0], _dst + (long)start * _p.Dst[0], _p.Dst[0], end - start);
        else if (_tileDim >= 0) RunTiled(start, end);
        else RunRows(start, end);
    }

    [MethodImpl(Simd.Hot)]
    static void Copy(float* s, long ss, float* t, long ds, int n)
    {
        if (ss == 1 && ds == 1) Buffer.MemoryCopy(s, t, (long)n * sizeof(float), (long)n * sizeof(float));
        else for (int i = 0; i < n; i++) t[i * ds] = s[i * ss];
    }

    [MethodImpl(Simd.Hot)]
    void RunRows(int start, int end)
    {
        int outerRank = _p.Rank - 1, n = RowLength;
        int ss = _p.Src[^1], ds = _p.Dst[^1];
        Span<int> index = stackalloc int[Math.Max(1, outerRank)];
        long src = 0, dst = 0;
        for (int d = outerRank - 1, rest = start; d >= 0; d--)
        {
            index[d] = rest % _p.Size[d];
            rest /= _p.Size[d];
            src += (long)index[d] * _p.Src[d];
            dst += (long)index[d] * _p.Dst[d];
        }
        for (int row = start; row < end; row++)
        {
            Copy(_src + src, ss, _dst + dst, ds, n);
            // Odometer: step the innermost outer dimension, carrying into the ones before it.
            for (int d = outerRank - 1; d >= 0; d--)
            {
                src += _p.Src[d];
                dst += _p.Dst[d];
                if (++index[d] < _p.Size[d]) break;
                src -= (long)_p.Size[d] * _p.Src[d];
                dst -= (long)_p.Size[d] * _p.Dst[d];
                index[d] = 0;
            }
        }
    }

    // Item = (index over the outer dimensions except the tiled one, band b): copies the Tile × rowLength block
    // dst[q·Dst[t] + i] = src[q + i·Src[last]] for q in the band, in Tile × Tile tiles (both sides stay in L1).
    [MethodImpl(Simd.Hot)]
    void RunTiled(int start, int end)
    {
        int last = _p.Rank - 1, n = RowLength, t = _tileDim, bands = Bands;
        long rowStep = _p.Src[last], tileStride = _p.Dst[t];
        for (int item = start; item < end; item++)
        {
            int band = item % bands, rest = item / bands;
            long src = 0, dst = 0;
            for (int d = last - 1; d >= 0; d--)
            {
                if (d == t) continue;
                int i = rest % _p.Size[d];
                rest /= _p.Size[d];
                src += (long)i * _p.Src[d];
                dst += (long)i * _p.Dst[d];
            }
            int q0 = band * Tile, q1 = Math.Min(_p.Size[t], q0 + Tile);
            src += q0;
            dst += q0 * tileStride;
            for (int i0 = 0; i0 < n; i0 += Tile)
            {
                int i1 = Math.Min(n, i0 + Tile);
                for (int q = 0; q < q1 - q0; q++)
                {
                    float* s = _src + src + q, d = _dst + dst + q * tileStride;
                    for (int i = i0; i < i1; i++) d[i] = s[i * rowStep];
                }
            }
        }
    }
}
