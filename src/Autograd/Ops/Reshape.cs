using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>A view with a new shape (one dimension may be -1); backward reshapes the gradient back.</summary>
    public static Var Reshape(Var x, params int[] shape)
    {
        var y = x.Value.Reshape(shape);
        return Tape.Current.Record(y, () => new ReshapeNode(x), x);
    }

    sealed class ReshapeNode(Var x) : Node(x)
    {
        public override string Op => "Reshape";

        public override void Backward(Tensor gy, Tape tape) =>
            tape.AddGrad(x, CopyAs(gy, x, Targets(gy)));
    }
}
