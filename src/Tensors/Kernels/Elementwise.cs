using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Pointwise activations and binary ops with their backward rules. One kernel per direction; the op is a uniform
// switch inside the loop (all threads take the same branch, so it costs nothing on a GPU), in Pointwise.cs, where
// each function and its derivative are defined once for both backends. The host checks the op before launching.
public sealed partial class IlgpuBackend
{
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, float>? _unary;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>? _unaryBackward;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _unaryBackwardGuided;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _binary;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape>? _binaryBackwardB;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _mulBackwardA;

    static void UnaryKernel(Index1D t, Work w, int op, ArrayView<float> x, ArrayView<float> y, float alpha)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++) y[i] = Pointwise.Forward((UnaryOp)op, x[i], alpha);
    }

    static void UnaryBackwardKernel(Index1D t, Work w, int op, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gx, float alpha)
    {
        int n = (int)x.Length;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++) gx[i] = gy[i] * Pointwise.Derivative((UnaryOp)op, x[i % n], alpha);
    }

    // Guided backprop: only the positive part of the incoming gradient flows on (docs/cam.md).
    static void UnaryBackwardGuidedKernel(Index1D t, Work w, int op, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gx)
    {
        int n = (int)x.Length;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                float g = gy[i];
                gx[i] = g > 0 ? g * Pointwise.Derivative((UnaryOp)op, x[i % n], 1f) : 0f;
            }
    }

    static void BinaryKernel(Index1D t, Work w, int op, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int inner)
    {
        int nb = (int)b.Length;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                float bv = b[(i / inner) % nb];
                y[i] = op == (int)BinaryOp.Add ? a[i] + bv : a[i] * bv; // Mul: the host checked op is one of the two
            }
    }

    /// <summary>Sizes of a broadcast: a is viewed as [outer, nb, inner] per target, b as [nb].</summary>
    internal readonly struct BroadcastShape(int outer, int nb, int inner)
    {
        public readonly int Outer = outer, Nb = nb, Inner = inner;
    }

    // One work item per (target k, b element j): it sums over the outer and inner positions it broadcast to.
    static void BinaryBackwardBKernel(Index1D t, Work w, int op, ArrayView<float> a, ArrayView<float> gy, ArrayView<float> gb, BroadcastShape s)
    {
        int na = s.Outer * s.Nb * s.Inner;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int k = item / s.Nb, j = item % s.Nb;
                float sum = 0;
                for (int o = 0; o < s.Outer; o++)
                {
                    int baseIndex = (o * s.Nb + j) * s.Inner;
                    for (int q = 0; q < s.Inner; q++)
                    {
                        int i = baseIndex + q;
                        float g = gy[k * na + i];
                        sum += op == (int)BinaryOp.Add ? g : g * a[i];
                    }
                }
                gb[item] = sum;
            }
    }

    static void MulBackwardAKernel(Index1D t, Work w, ArrayView<float> b, ArrayView<float> gy, ArrayView<float> ga, int na, int inner)
    {
        int nb = (int)b.Length;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++) ga[i] = gy[i] * b[(i % na / inner) % nb];
    }

    public void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f)
    {
        SameLength(x, y, $"{op}");
        Pointwise.Check(op);
        var (threads, w) = Plan(x.Length);
        if (threads == 0) return;
        _unary ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, float>(UnaryKernel);
        _unary(threads, w, (int)op, x.View, y.View, alpha);
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha = 1f)
    {
        SameLength(gy, gx, $"{op} backward");
        TargetCount(x, gy, $"{op} backward");
        Pointwise.Check(op);
        var (threads, w) = Plan(gy.Length);
        if (threads == 0) return;
        _unaryBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(UnaryBackwardKernel);
        _unaryBackward(threads, w, (int)op, x.View, gy.View, gx.View, alpha);
    }

    public void UnaryBackwardGuided(UnaryOp op, Tensor x, Tensor gy, Tensor gx)
    {
        SameLength(gy, gx, $"guided {op} backward");
        TargetCount(x, gy, $"guided {op} backward");
        Pointwise.Check(op);
        var (threads, w) = Plan(gy.Length);
        if (threads == 0) return;
        _unaryBackwardGuided ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(UnaryBackwardGuidedKernel);
        _unaryBackwardGuided(threads, w, (int)op, x.View, gy.View, gx.View);
    }

    static void CheckBroadcast(int na, int nb, int inner, string what) =>
        Require(inner > 0 && nb > 0 && na % ((long)nb * inner) == 0,
            $"{what}: operand of {nb} elements (inner {inner}) does not broadcast over {na}");

    /// <summary>The two kernels in turn (the ReLU in place): the GPU path keeps its two launches.</summary>
    public void AddRelu(Tensor a, Tensor b, Tensor y)
    {
        SameLength(a, b, "add + relu");
        Binary(BinaryOp.Add, a, b, y, 1);
        Unary(UnaryOp.Relu, y, y);
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner)
    {
        SameLength(a, y, $"{op}");
        BackendChecks.Known(op);
        CheckBroadcast(a.Length, b.Length, inner, $"{op}");
        var (threads, w) = Plan(a.Length);
        if (threads == 0) return;
        _binary ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(BinaryKernel);
        _binary(threads, w, (int)op, a.View, b.View, y.View, inner);
    }

    public void BinaryBackwardB(BinaryOp op, Tensor a, Tensor gy, Tensor gb, int inner)
    {
        BackendChecks.Known(op);
        int k = TargetCount(a, gy, $"{op} backward");
        Require(gb.Length % k == 0, $"{op} backward: gradient of b is not K-batched");
        int nb = gb.Length / k;
        CheckBroadcast(a.Length, nb, inner, $"{op} backward");
        var shape = new BroadcastShape(a.Length / (nb * inner), nb, inner);
        var (threads, w) = Plan(gb.Length);
        if (threads == 0) return;
        _binaryBackwardB ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape>(BinaryBackwardBKernel);
        _binaryBackwardB(threads, w, (int)op, a.View, gy.View, gb.View, shape);
    }

    public void MulBackwardA(Tensor b, Tensor gy, Tensor ga, int aLength, int inner)
    {
        SameLength(gy, ga, "Mul backward");
        Require(aLength > 0 && gy.Length % aLength == 0, "Mul backward: gradient is not K-batched");
        CheckBroadcast(aLength, b.Length, inner, "Mul backward");
        var (threads, w) = Plan(gy.Length);
        if (threads == 0) return;
        _mulBackwardA ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(MulBackwardAKernel);
        _mulBackwardA(threads, w, b.View, gy.View, ga.View, aLength, inner);
    }
}
