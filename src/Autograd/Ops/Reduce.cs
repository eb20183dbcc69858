using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>Sum over the given axes (negative axes count from the end; none: all axes), dropping them.</summary>
    public static Var Sum(Var x, params int[] axes) => Sum(x, axes, keepDim: false);

    /// <summary>Sum over the given axes; <paramref name="keepDim"/> keeps them with size 1.</summary>
    public static Var Sum(Var x, int[] axes, bool keepDim) => Reduce(ReduceOp.Sum, x, axes, keepDim);

    /// <summary>Mean over the given axes (none: all axes), dropping them.</summary>
    public static Var Mean(Var x, params int[] axes) => Mean(x, axes, keepDim: false);

    /// <summary>Mean over the given axes; <paramref name="keepDim"/> keeps them with size 1.</summary>
    public static Var Mean(Var x, int[] axes, bool keepDim) => Reduce(ReduceOp.Mean, x, axes, keepDim);

    /// <summary>Maximum values along one axis (torch.max(x, dim).values); backward goes to the first maximum.</summary>
    public static Var Max(Var x, int axis, bool keepDim = false) => Reduce(ReduceOp.Max, x, [axis], keepDim);

    /// <summary>
    /// Reduces each run of consecutive axes as one [outer, reduced, inner] reduction, last run first so the
    /// axis numbers of earlier runs stay valid (a mean of equal-sized means is the mean). Each run is its own
    /// recorded node; the axes are dropped at the end with a reshape view.
    /// </summary>
    static Var Reduce(ReduceOp op, Var x, int[] axes, bool keepDim)
    {
        int rank = x.Shape.Length;
        var set = (axes.Length == 0 ? Enumerable.Range(0, rank) : axes.Select(a => a < 0 ? a + rank : a)).ToArray();
        if (set.Any(a => a < 0 || a >= rank) || set.Distinct().Count() != set.Length || rank == 0)
            throw new ArgumentException($"{op}: axes [{string.Join(", ", axes)}] are not distinct axes of {Tensor.Format(x.Shape)}");
        Array.Sort(set);
        var y = x;
        int end = set.Length;
        while (end > 0)
        {
            int start = end - 1;
            while (start > 0 && set[start - 1] == set[start] - 1) start--;
            y = ReduceRun(op, y, set[start], set[end - 1] + 1);
            end = start;
        }
        return keepDim ? y : Reshape(y, [.. x.Shape.Where((_, d) => !set.Contains(d))]);
    }

    /// <summary>Reduces axes [first, last) of x, keeping them with size 1.</summary>
    static Var ReduceRun(ReduceOp op, Var x, int first, int last)
    {
        int[] s = x.Shape;
        int outer = Tensor.ShapeLength(s.AsSpan(0, first)), reduced = Tensor.ShapeLength(s.AsSpan(first, last - first));
        int inner = Tensor.ShapeLength(s.AsSpan(last));
        if (reduced == 0) throw new ArgumentException($"{op}: reducing empty axes of {Tensor.Format(s)}");
        int[] shape = [.. s[..first], .. Enumerable.Repeat(1, last - first), .. s[last..]];
        var y = Tensor.Empty(x.Device, shape);
        if (y.Length > 0) x.Device.Backend.Reduce(op, x.Value, y, outer, reduced, inner);
        return Tape.Current.Record(y, () => new ReduceNode(op, x, outer, reduced, inner), x);
    }

    /// <summary>Broadcasts gy back over the reduced axis: as is (sum), divided by its length (mean), or to the first maximum only (max).</summary>
    sealed class ReduceNode(ReduceOp op, Var x, int outer, int reduced, int inner) : Node(x)
    {
        public override string Op => op.ToString();

        public override void Backward(Tensor gy, Tape tape)
        {
            var gx = GradLike(x, Targets(gy));
            if (gx.Length > 0) Backend(x).ReduceBackward(op, x.Value, gy, gx, outer, reduced, inner);
            tape.AddGrad(x, gx);
        }
    }
}
