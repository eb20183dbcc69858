using NativeCam.Tensors;

namespace NativeCam.Autograd;

// A residual add with its ReLU as one op (ResNet's block tail): one pass forward, one node on the tape.
public static partial class Ops
{
    /// <summary>
    /// relu(a + b) for a and b of one shape: the value of <c>Relu(Add(a, b))</c>, bit for bit, computed in one pass
    /// without the sum as a tensor of its own. Backward: gy masked where the output is zero (the sum was not
    /// positive: ReLU's rule, guided backpropagation's too), passed to both a and b. The sum is not a tape
    /// value, so nothing can be watched between the add and the ReLU; the result can be named as the ReLU's output.
    /// </summary>
    public static Var AddRelu(Var a, Var b)
    {
        if (MatchBatch(a, b) is [var ma, var mb]) (a, b) = (ma, mb);
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"AddRelu: shapes {Tensor.Format(a.Shape)} and {Tensor.Format(b.Shape)} differ");
        var y = Tensor.Empty(a.Device, a.Shape);
        a.Device.Backend.AddRelu(a.Value, b.Value, y);
        return Tape.Current.Record(y, () => new AddReluNode(a, b), a, b);
    }

    /// <summary>
    /// The recorded y = relu(a + b) of <see cref="AddRelu"/>. relu′(a + b) = relu′(y): both are 1 exactly where
    /// a + b > 0 (a NaN sum gives y = NaN, as Relu does, and the same derivative either way), so the output stands in for the sum the
    /// forward never kept. Public so that a backward override (guided backprop in src/Cam) can run its rule here.
    /// </summary>
    public sealed class AddReluNode(Var a, Var b) : Node(a, b)
    {
        /// <inheritdoc/>
        public override string Op => "AddRelu";

        /// <inheritdoc/>
        public override void Backward(Tensor gy, Tape tape) => Backward(gy, tape, guided: false);

        /// <summary>The backward rule; <paramref name="guided"/> also clips gy's negative part (guided
        /// backpropagation's rule at a ReLU). The one gradient goes to both a and b.</summary>
        public void Backward(Tensor gy, Tape tape, bool guided)
        {
            int k = Targets(gy);
            var g = GradLike(a, k);
            if (guided) Backend(a).UnaryBackwardGuided(UnaryOp.Relu, Output.Value, gy, g);
            else Backend(a).UnaryBackward(UnaryOp.Relu, Output.Value, gy, g);
            if (b.RequiresGrad) tape.AddGrad(b, a.RequiresGrad ? CopyAs(g, b, k) : g);
            if (a.RequiresGrad) tape.AddGrad(a, g);
            else if (!b.RequiresGrad) g.Dispose();
        }
    }
}
