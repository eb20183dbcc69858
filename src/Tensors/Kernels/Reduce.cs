using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Sum, mean and max over a run of consecutive axes: x is viewed as [outer, reduced, inner] and reduced over
// its middle axis. One work item per output element (o, i); the backward item (k, o, i) owns the whole
// column gx[k, o, :, i], so it writes every element of gx exactly once with no atomics.
public sealed partial class IlgpuBackend
{
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ReduceShape>? _reduce;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ReduceShape>? _reduceBackward;

    /// <summary>The [outer, reduced, inner] view of a reduction.</summary>
    internal readonly struct ReduceShape(int outer, int reduced, int inner)
    {
        public readonly int Outer = outer, Reduced = reduced, Inner = inner;
    }

    /// <summary>Index of the first maximal element of x[o, :, i] (PyTorch's tie rule), NaN-free input assumed.</summary>
    static int ArgMax(ArrayView<float> x, int start, int reduced, int inner)
    {
        int best = 0;
        float max = x[start];
        for (int r = 1; r < reduced; r++)
        {
            float v = x[start + r * inner];
            if (v > max) { max = v; best = r; }
        }
        return best;
    }

    static void ReduceKernel(Index1D t, Work w, int op, ArrayView<float> x, ArrayView<float> y, ReduceShape s)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int o = item / s.Inner, i = item % s.Inner;
                int start = o * s.Reduced * s.Inner + i;
                if (op == (int)ReduceOp.Max)
                {
                    y[item] = x[start + ArgMax(x, start, s.Reduced, s.Inner) * s.Inner];
                    continue;
                }
                float sum = 0;
                for (int r = 0; r < s.Reduced; r++) sum += x[start + r * s.Inner];
                y[item] = op == (int)ReduceOp.Mean ? sum / s.Reduced : sum;
            }
    }

    // Items are (k, o, i) over K·outer·inner; the forward x is read at (o, :, i).
    static void ReduceBackwardKernel(Index1D t, Work w, int op, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gx, ReduceShape s)
    {
        int perTarget = s.Outer * s.Inner;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int k = item / perTarget, o = item % perTarget / s.Inner, i = item % s.Inner;
                int start = o * s.Reduced * s.Inner + i;
                int gStart = k * s.Outer * s.Reduced * s.Inner + start;
                float g = gy[item];
                if (op == (int)ReduceOp.Max)
                {
                    int best = ArgMax(x, start, s.Reduced, s.Inner);
                    for (int r = 0; r < s.Reduced; r++) gx[gStart + r * s.Inner] = r == best ? g : 0f;
                    continue;
                }
                float v = op == (int)ReduceOp.Mean ? g / s.Reduced : g;
                for (int r = 0; r < s.Reduced; r++) gx[gStart + r * s.Inner] = v;
            }
    }

    static ReduceShape CheckReduce(int length, int outer, int reduced, int inner, string what)
    {
        Require(outer >= 0 && reduced > 0 && inner > 0 && (long)outer * reduced * inner == length,
            $"{what}: [{outer}, {reduced}, {inner}] does not view {length} elements");
        return new ReduceShape(outer, reduced, inner);
    }

    public void Reduce(ReduceOp op, Tensor x, Tensor y, int outer, int reduced, int inner)
    {
        BackendChecks.Known(op);
        var s = CheckReduce(x.Length, outer, reduced, inner, $"{op}");
        Require(y.Length == outer * inner, $"{op}: output has {y.Length} elements, expected {outer * inner}");
        var (threads, w) = Plan(y.Length);
        if (threads == 0) return;
        _reduce ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ReduceShape>(ReduceKernel);
        _reduce(threads, w, (int)op, x.View, y.View, s);
    }

    public void ReduceBackward(ReduceOp op, Tensor x, Tensor gy, Tensor gx, int outer, int reduced, int inner)
    {
        BackendChecks.Known(op);
        var s = CheckReduce(x.Length, outer, reduced, inner, $"{op} backward");
        int k = TargetCount(x, gx, $"{op} backward");
        Require(gy.Length == k * outer * inner, $"{op} backward: gradient of the output has {gy.Length} elements, expected {k * outer * inner}");
        var (threads, w) = Plan(gy.Length);
        if (threads == 0) return;
        _reduceBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ReduceShape>(ReduceBackwardKernel);
        _reduceBackward(threads, w, (int)op, x.View, gy.View, gx.View, s);
    }
}
