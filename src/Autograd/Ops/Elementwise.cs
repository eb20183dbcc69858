using NativeCam.Tensors;

namespace NativeCam.Autograd;

/// <summary>
/// The differentiable ops, PyTorch-style: <c>Ops.Silu(x)</c>, <c>Ops.Conv2d(x, w, b, ...)</c>. Each op
/// launches its forward kernel, then records a node holding its backward rule on the active tape.
/// One family per file; the backward rule sits right under its forward.
/// </summary>
public static partial class Ops
{
    /// <summary>max(x, 0).</summary>
    public static Var Relu(Var x) => Unary(UnaryOp.Relu, x);
    /// <summary>min(max(x, 0), 6).</summary>
    public static Var Relu6(Var x) => Unary(UnaryOp.Relu6, x);
    /// <summary>x·σ(x).</summary>
    public static Var Silu(Var x) => Unary(UnaryOp.Silu, x);
    /// <summary>σ(x) = 1/(1 + e^−x).</summary>
    public static Var Sigmoid(Var x) => Unary(UnaryOp.Sigmoid, x);
    /// <summary>Exact GELU x·Φ(x).</summary>
    public static Var Gelu(Var x) => Unary(UnaryOp.Gelu, x);
    /// <summary>tanh(x).</summary>
    public static Var Tanh(Var x) => Unary(UnaryOp.Tanh, x);
    /// <summary>ReLU6(x + 3)/6.</summary>
    public static Var Hardsigmoid(Var x) => Unary(UnaryOp.Hardsigmoid, x);
    /// <summary>x·ReLU6(x + 3)/6.</summary>
    public static Var Hardswish(Var x) => Unary(UnaryOp.Hardswish, x);
    /// <summary>αx.</summary>
    public static Var Scale(Var x, float alpha) => Unary(UnaryOp.Scale, x, alpha);

    /// <summary>y = f(x) for a pointwise f (defined in src/Tensors/Pointwise.cs); backward gx = gy · f'(x).</summary>
    public static Var Unary(UnaryOp op, Var x, float alpha = 1f)
    {
        var y = Tensor.Empty(x.Device, x.Shape);
        x.Device.Backend.Unary(op, x.Value, y, alpha);
        return Tape.Current.Record(y, () => new UnaryNode(op, x, alpha), x);
    }

    /// <summary>
    /// The recorded y = f(x) of <see cref="Unary"/>: its backward rule is gx = gy · f′(x). Public so that a backward
    /// override (<see cref="IBackwardOverride"/>, e.g. guided backprop in src/Cam) can recognise it and read its input.
    /// </summary>
    public sealed class UnaryNode(UnaryOp function, Var x, float alpha) : Node(x)
    {
        /// <summary>The pointwise function f.</summary>
        public UnaryOp Function => function;

        /// <summary>The input x.</summary>
        public Var Input => x;

        /// <inheritdoc/>
        public override string Op => function.ToString();

        /// <inheritdoc/>
        public override void Backward(Tensor gy, Tape tape)
        {
            var gx = GradLike(x, Targets(gy));
            Backend(x).UnaryBackward(function, x.Value, gy, gx, alpha);
            tape.AddGrad(x, gx);
        }
    }

    /// <summary>a + b, with b the same shape as a or broadcast (see <see cref="IBackend.Binary"/>).</summary>
    public static Var Add(Var a, Var b) => Binary(BinaryOp.Add, a, b);

    /// <summary>a · b elementwise, with b the same shape as a or broadcast.</summary>
    public static Var Mul(Var a, Var b) => Binary(BinaryOp.Mul, a, b);

    /// <summary>
    /// Binary op where b has a's shape or broadcasts over it. <paramref name="inner"/> is the number of
    /// consecutive elements of a that share one element of b (see IBackend.Binary); by default it is
    /// inferred from the shapes.
    /// </summary>
    public static Var Binary(BinaryOp op, Var a, Var b, int? inner = null)
    {
        if (inner is null && MatchBatch(a, b) is [var ma, var mb]) (a, b) = (ma, mb);
        int innerSize = inner ?? InferInner(a.Shape, b.Shape);
        var y = Tensor.Empty(a.Device, a.Shape);
        a.Device.Backend.Binary(op, a.Value, b.Value, y, innerSize);
        return Tape.Current.Record(y, () => new BinaryNode(op, a, b, innerSize), a, b);
    }

    /// <summary>
    /// How many consecutive elements of a share one element of b. b's shape, with leading ones
    /// removed, must match a contiguous run of a's dimensions; the dimensions of a after that run form
    /// the inner size ([C] or [1,C,1,1] against [N,C,H,W]: H·W; [T,C] against [B,T,C]: 1).
    /// </summary>
    static int InferInner(int[] a, int[] b)
    {
        var core = b.SkipWhile(d => d == 1).ToArray();
        int bLen = Tensor.ShapeLength(b);
        if (bLen == Tensor.ShapeLength(a)) return 1;
        // Trailing ones of b (as in [1,C,1,1]) say that the last dimensions of a are broadcast.
        int trailingOnes = 0;
        for (int i = b.Length - 1; i >= 0 && b[i] == 1 && b.Length == a.Length; i--) trailingOnes++;
        var bCore = core.Take(core.Length - Math.Min(trailingOnes, core.Length)).ToArray();
        int end = a.Length - (b.Length == a.Length ? trailingOnes : 0);
        int start = end - bCore.Length;
        if (start < 0 || !a.Skip(start).Take(bCore.Length).SequenceEqual(bCore))
            throw new ArgumentException($"cannot broadcast {Tensor.Format(b)} against {Tensor.Format(a)}");
        int innerSize = 1;
        for (int i = end; i < a.Length; i++) innerSize *= a[i];
        return innerSize;
    }

    sealed class BinaryNode(BinaryOp op, Var a, Var b, int inner) : Node(a, b)
    {
        public override string Op => op.ToString();

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            if (a.RequiresGrad)
            {
                if (op == BinaryOp.Add) tape.AddGrad(a, CopyAs(gy, a, k));
                else if (op == BinaryOp.Mul)
                {
                    var ga = GradLike(a, k);
                    Backend(a).MulBackwardA(b.Value, gy, ga, a.Value.Length, inner);
                    tape.AddGrad(a, ga);
                }
                else throw new InvalidOperationException($"no backward rule for binary op {op}");
            }
            if (b.RequiresGrad)
            {
                var gb = GradLike(b, k);
                Backend(b).BinaryBackwardB(op, a.Value, gy, gb, inner);
                tape.AddGrad(b, gb);
            }
        }
    }
}
