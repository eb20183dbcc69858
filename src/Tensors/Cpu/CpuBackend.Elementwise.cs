using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// Pointwise activations and broadcast binary ops, forward next to backward. Every kernel is a flat loop over
// a range of elements (~16K per range, a few ranges per core); a range that crosses a target boundary (K·|x|
// gradients) or a broadcast boundary is walked in segments, each a plain vector loop. The functions themselves are
// defined once, for both backends, in src/Tensors/Pointwise.cs.
public sealed unsafe partial class CpuBackend
{
    const int ElementsPerRange = 16384;

    public void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f)
    {
        SameLength(x, y, $"{op}");
        Pointwise.Check(op);
        if (x.Length == 0) return;
        Pointwise.With<ForwardPass, bool>(op, alpha, new ForwardPass(this, x, y));
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha = 1f) =>
        Backward(op, x, gy, gx, alpha, guided: false, $"{op} backward");

    public void UnaryBackwardGuided(UnaryOp op, Tensor x, Tensor gy, Tensor gx) =>
        Backward(op, x, gy, gx, 1f, guided: true, $"guided {op} backward");

    void Backward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha, bool guided, string what)
    {
        SameLength(gy, gx, what);
        TargetCount(x, gy, what);
        Pointwise.Check(op);
        if (gy.Length == 0) return;
        Pointwise.With<BackwardPass, bool>(op, alpha, new BackwardPass(this, x, gy, gx, guided));
    }

    readonly struct ForwardPass(CpuBackend b, Tensor x, Tensor y) : IActivationUser<bool>
    {
        public bool Use<F>(F f) where F : struct, IActivation { b.RunPointwise(f, x, y); return true; }
    }

    readonly struct BackwardPass(CpuBackend b, Tensor x, Tensor gy, Tensor gx, bool guided) : IActivationUser<bool>
    {
        public bool Use<F>(F f) where F : struct, IActivation { b.RunPointwise(f, x, gy, gx, guided); return true; }
    }

    void RunPointwise<F>(F f, Tensor x, Tensor y) where F : struct, IActivation =>
        Simd.For(_width, x.Length, ElementsPerRange, new ActivationForward<F>(f, x.Pointer, y.Pointer));

    void RunPointwise<F>(F f, Tensor x, Tensor gy, Tensor gx, bool guided) where F : struct, IActivation =>
        Simd.For(_width, gy.Length, ElementsPerRange, new ActivationBackward<F>(f, x.Pointer, x.Length, gy.Pointer, gx.Pointer, guided));

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner)
    {
        SameLength(a, y, $"{op}");
        BackendChecks.Known(op);
        CheckBroadcast(a.Length, b.Length, inner, $"{op}");
        Broadcast(op, a, b, y, inner);
    }

    /// <summary>
    /// ga[i] = gy[i] · b[(i mod |a| / inner) mod |b|] is Binary's Mul over the K·|a| gradient: |a| is a multiple of
    /// |b|·inner, so (i mod |a|) / inner and i / inner agree modulo |b|.
    /// </summary>
    public void MulBackwardA(Tensor b, Tensor gy, Tensor ga, int aLength, int inner)
    {
        SameLength(gy, ga, "Mul backward");
        Require(aLength > 0 && gy.Length % aLength == 0, "Mul backward: gradient is not K-batched");
        CheckBroadcast(aLength, b.Length, inner, "Mul backward");
        Broadcast(BinaryOp.Mul, gy, b, ga, inner);
    }

    void Broadcast(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner)
    {
        if (a.Length == 0) return;
        if (op == BinaryOp.Add) Simd.For(_width, a.Length, ElementsPerRange, new BroadcastKernel<AddOp>(a.Pointer, b.Pointer, b.Length, y.Pointer, inner));
        else Simd.For(_width, a.Length, ElementsPerRange, new BroadcastKernel<MulOp>(a.Pointer, b.Pointer, b.Length, y.Pointer, inner));
    }

    /// <summary>
    /// gb[k, j] = Σ gy[k, o, j, q] (· a[o, j, q] for Mul) over o &lt; outer and q &lt; inner, a viewed as [outer, |b|, inner].
    /// inner = 1 (a bias or position embedding over rows): column sums, vectorised along j. inner &gt; 1 (a
    /// per-channel vector over NCHW): each (k, j) sums outer runs of inner contiguous elements. Every output
    /// belongs to one range and is summed in a fixed order.
    /// </summary>
    public void BinaryBackwardB(BinaryOp op, Tensor a, Tensor gy, Tensor gb, int inner)
    {
        BackendChecks.Known(op);
        int k = TargetCount(a, gy, $"{op} backward");
        Require(gb.Length % k == 0, $"{op} backward: gradient of b is not K-batched");
        int nb = gb.Length / k;
        CheckBroadcast(a.Length, nb, inner, $"{op} backward");
        int outer = a.Length / (nb * inner);
        var kernel = new BroadcastBackwardB(op == BinaryOp.Mul ? a.Pointer : null, a.Length, gy.Pointer, gb.Pointer, nb, outer, inner);
        if (inner == 1) Simd.For(_width, k * kernel.ColumnBlocks, Simd.PerRange((long)outer * BroadcastBackwardB.Columns), kernel);
        else Simd.For(_width, gb.Length, Simd.PerRange((long)outer * inner), kernel);
    }

    static void CheckBroadcast(int na, int nb, int inner, string what) =>
        Require(inner > 0 && nb > 0 && na % ((long)nb * inner) == 0,
            $"{what}: operand of {nb} elements (inner {inner}) does not broadcast over {na}");
}

internal readonly unsafe struct ActivationForward<F>(F f, float* x, float* y) : ISimdKernel where F : struct, IActivation
{
    readonly F _f = f;
    readonly float* _x = x, _y = y;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        float* x = _x + start, y = _y + start;
        int n = end - start, i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(_f.Apply(V.Load(x + i)), y + i);
        if (i < n) V.StorePartial(_f.Apply(V.LoadPartial(x + i, n - i, 0f)), y + i, n - i);
    }
}

/// <summary>gx = gy · f'(x), or with guided backprop max(gy, 0) · f'(x) as gy &gt; 0 ? gy·f'(x) : 0; x is read at i mod |x|.</summary>
internal readonly unsafe struct ActivationBackward<F>(F f, float* x, int xLength, float* gy, float* gx, bool guided) : ISimdKernel
    where F : struct, IActivation
{
    readonly F _f = f;
    readonly float* _x = x, _gy = gy, _gx = gx;
    readonly int _xLength = xLength;
    readonly bool _guided = guided;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int i = start; i < end;)
        {
            int xi = i % _xLength, n = Math.Min(end - i, _xLength - xi);
            if (_guided) Segment<V, Guided>(_x + xi, _gy + i, _gx + i, n);
            else Segment<V, Plain>(_x + xi, _gy + i, _gx + i, n);
            i += n;
        }
    }

    [MethodImpl(Simd.Hot)]
    void Segment<V, G>(float* x, float* gy, float* gx, int n) where V : unmanaged, IVec<V> where G : struct, IGradientRule
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count)
            V.Store(G.Apply(V.Load(gy + i), _f.Derivative(V.Load(x + i))), gx + i);
        if (i < n)
            V.StorePartial(G.Apply(V.LoadPartial(gy + i, n - i, 0f), _f.Derivative(V.LoadPartial(x + i, n - i, 0f))), gx + i, n - i);
    }

    interface IGradientRule
    {
        static abstract V Apply<V>(V gy, V derivative) where V : unmanaged, IVec<V>;
    }

    readonly struct Plain : IGradientRule
    {
        public static V Apply<V>(V gy, V derivative) where V : unmanaged, IVec<V> => gy * derivative;
    }

    readonly struct Guided : IGradientRule
    {
        public static V Apply<V>(V gy, V derivative) where V : unmanaged, IVec<V> =>
            V.Select(V.Greater(gy, V.Splat(0f)), gy * derivative, V.Splat(0f));
    }
}

internal interface IBinaryOp
{
    static abstract V Apply<V>(V a, V b) where V : unmanaged, IVec<V>;
}

internal readonly struct AddOp : IBinaryOp
{
    public static V Apply<V>(V a, V b) where V : unmanaged, IVec<V> => a + b;
}

internal readonly struct MulOp : IBinaryOp
{
    public static V Apply<V>(V a, V b) where V : unmanaged, IVec<V> => a * b;
}

/// <summary>
/// y[i] = a[i] op b[(i / inner) mod |b|]. inner = 1: b repeats every |b| elements (|b| = |a| is the plain
/// elementwise case), walked in segments aligned with b. inner &gt; 1: runs of inner elements share one b value.
/// Ragged ends and short runs go through the one-lane path (same IEEE result as the vector lanes).
/// </summary>
internal readonly unsafe struct BroadcastKernel<Op>(float* a, float* b, int nb, float* y, int inner) : ISimdKernel where Op : struct, IBinaryOp
{
    readonly float* _a = a, _b = b, _y = y;
    readonly int _nb = nb, _inner = inner;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int i = start; i < end;)
        {
            int n;
            if (_nb == 1)
            {
                // one value for every element (a scalar constant, e.g. ReLU6's −6): one vector pass over the range,
                // not the pair loop below, which would advance one element at a time
                n = end - i;
                WithScalar<V>(_a + i, _b[0], _y + i, n);
            }
            else if (_inner == 1)
            {
                int j = i % _nb;
                n = Math.Min(end - i, _nb - j);
                Pairs<V>(_a + i, _b + j, _y + i, n);
            }
            else
            {
                int run = i / _inner;
                n = Math.Min(end - i, (run + 1) * _inner - i);
                WithScalar<V>(_a + i, _b[run % _nb], _y + i, n);
            }
            i += n;
        }
    }

    [MethodImpl(Simd.Hot)]
    static void Pairs<V>(float* a, float* b, float* y, int n) where V : unmanaged, IVec<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(Op.Apply(V.Load(a + i), V.Load(b + i)), y + i);
        for (; i < n; i++) V1.Store(Op.Apply(V1.Load(a + i), V1.Load(b + i)), y + i);
    }

    [MethodImpl(Simd.Hot)]
    static void WithScalar<V>(float* a, float b, float* y, int n) where V : unmanaged, IVec<V>
    {
        var vb = V.Splat(b);
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(Op.Apply(V.Load(a + i), vb), y + i);
        for (; i < n; i++) V1.Store(Op.Apply(V1.Load(a + i), new V1(b)), y + i);
    }
}

/// <summary>
/// The gradient of the broadcast operand (see <see cref="CpuBackend.BinaryBackwardB"/>). Items are (k, block of
/// <see cref="Columns"/> columns j) when inner = 1, else (k, j). a is null for Add.
/// </summary>
internal readonly unsafe struct BroadcastBackwardB(float* a, int na, float* gy, float* gb, int nb, int outer, int inner) : ISimdKernel
{
    public const int Columns = 64;
    readonly float* _a = a, _gy = gy, _gb = gb;
    readonly int _na = na, _nb = nb, _outer = outer, _inner = inner;

    public int ColumnBlocks => (_nb + Columns - 1) / Columns;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        for (int item = start; item < end; item++)
        {
            if (_inner == 1)
            {
                int k = item / ColumnBlocks, j = item % ColumnBlocks * Columns, n = Math.Min(Columns, _nb - j);
                Simd.ColumnSums<V>(_gy + (long)k * _na + j, _a == null ? null : _a + j, _nb, _outer, _gb + (long)k * _nb + j, n);
                continue;
            }
            int target = item / _nb, col = item % _nb;
            float sum = 0;
            for (int o = 0; o < _outer; o++)
            {
                long offset = ((long)o * _nb + col) * _inner;
                float* g = _gy + (long)target * _na + offset;
                sum += _a == null ? Simd.Sum<V>(g, _inner) : Simd.Dot<V>(g, _a + offset, _inner);
            }
            _gb[item] = sum;
        }
    }
}
