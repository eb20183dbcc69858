using ILGPU.Runtime;
using NativeCam.Tensors;

namespace NativeCam.Autograd;

// One image's value repeated over a batch, and the rule that lets a forward of one image meet a batch inside it.
public static partial class Ops
{
    /// <summary>
    /// x of shape [1, …] repeated to [<paramref name="batch"/>, …] (<c>x.expand(batch, …)</c>, materialised).
    /// Backward: each target's gradient summed over the batch.
    /// </summary>
    public static Var RepeatBatch(Var x, int batch)
    {
        if (x.Shape.Length == 0 || x.Shape[0] != 1)
            throw new ArgumentException($"RepeatBatch: {Tensor.Format(x.Shape)} is not a batch of one");
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int[] shape = [batch, .. x.Shape[1..]];
        var y = Tensor.Empty(x.Device, shape);
        for (int i = 0; i < batch; i++)
        {
            using var row = y.Slice(i * x.Value.Length, x.Shape);
            row.View.CopyFrom(x.Value.View);
        }
        return Tape.Current.Record(y, () => new RepeatBatchNode(x, batch), x);
    }

    /// <summary>
    /// Under <see cref="Tape.RepeatsBatch"/>: when one of an op's inputs is a batch of B and another a batch of one
    /// with otherwise equal dimensions, the batch of one is repeated to B (Add, Mul, AddRelu, Concat call this).
    /// Elsewhere the inputs are returned as they are.
    /// </summary>
    internal static Var[] MatchBatch(params Var[] xs)
    {
        if (!Tape.Current.RepeatsBatch || xs.Length < 2) return xs;
        int batch = xs.Max(x => x.Shape.Length > 0 ? x.Shape[0] : 1);
        if (batch == 1) return xs;
        var matched = (Var[])xs.Clone();
        for (int i = 0; i < matched.Length; i++)
        {
            var s = matched[i].Shape;
            bool batchOfOne = s.Length > 1 && s[0] == 1 && xs.Any(o => o.Shape.Length == s.Length && o.Shape[0] == batch
                && o.Shape.AsSpan(2).SequenceEqual(s.AsSpan(2)));
            if (batchOfOne) matched[i] = RepeatBatch(matched[i], batch);
        }
        return matched;
    }

    sealed class RepeatBatchNode(Var x, int batch) : Node(x)
    {
        public override string Op => "RepeatBatch";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            var gx = GradLike(x, k);
            // gy is [K, batch, …x]: sum its middle axis
            Backend(x).Reduce(ReduceOp.Sum, gy, gx, k, batch, x.Value.Length);
            tape.AddGrad(x, gx);
        }
    }
}
