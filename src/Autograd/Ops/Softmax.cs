using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>Softmax over the last axis (numerically stable: the row maximum is subtracted first).</summary>
    public static Var Softmax(Var x)
    {
        if (x.Shape.Length == 0 || x.Shape[^1] == 0) throw new ArgumentException($"softmax: input {Tensor.Format(x.Shape)} has no last axis");
        var y = Tensor.Empty(x.Device, x.Shape);
        x.Device.Backend.Softmax(x.Value, y, x.Shape[^1]);
        return Tape.Current.Record(y, () => new SoftmaxNode(x), x);
    }

    /// <summary>gx = y ⊙ (gy − ⟨gy, y⟩) per row, from the saved output y (docs/ops/dense.md).</summary>
    sealed class SoftmaxNode(Var x) : Node(x)
    {
        public override string Op => "Softmax";

        public override void Backward(Tensor gy, Tape tape)
        {
            var gx = GradLike(x, Targets(gy));
            Backend(x).SoftmaxBackward(Output.Value, gy, gx, x.Shape[^1]);
            tape.AddGrad(x, gx);
        }
    }
}
