using System.Diagnostics;
using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>
    /// nn.LayerNorm over the last axis: y = (x − mean) / √(var + eps) · gamma + beta with the biased variance;
    /// gamma and beta are [C] for x [.., C]. ViT uses eps = 1e-6, PyTorch's default is 1e-5.
    /// </summary>
    public static Var LayerNorm(Var x, Var gamma, Var beta, float eps = 1e-5f)
    {
        int c = x.Shape.Length == 0 ? 0 : x.Shape[^1];
        if (c == 0 || gamma.Shape.Length != 1 || gamma.Shape[0] != c || beta.Shape.Length != 1 || beta.Shape[0] != c)
            throw new ArgumentException($"layernorm: input {Tensor.Format(x.Shape)} needs gamma and beta of shape [{c}], " +
                $"got {Tensor.Format(gamma.Shape)} and {Tensor.Format(beta.Shape)}");
        var y = Tensor.Empty(x.Device, x.Shape);
        // Mean and 1/std of each row, kept for the backward pass (2 floats a row). They belong to the tape
        // like every other value of the pass: a value recorded with no inputs is owned, never differentiated.
        var stats = Tape.Current.Record(Tensor.Empty(x.Device, x.Value.Length / c, 2), () => throw new UnreachableException());
        x.Device.Backend.LayerNorm(x.Value, gamma.Value, beta.Value, y, stats.Value, eps);
        return Tape.Current.Record(y, () => new LayerNormNode(x, gamma, beta, stats.Value), x, gamma, beta);
    }

    /// <summary>
    /// With x̂ = (x − mean)·rstd and g = gy ⊙ gamma: gx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)),
    /// ggamma = Σ_rows gy ⊙ x̂, gbeta = Σ_rows gy (per target). Derivation in docs/ops/dense.md.
    /// </summary>
    sealed class LayerNormNode(Var x, Var gamma, Var beta, Tensor stats) : Node(x, gamma, beta)
    {
        public override string Op => "LayerNorm";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            if (x.RequiresGrad)
            {
                var gx = GradLike(x, k);
                Backend(x).LayerNormBackward(x.Value, gamma.Value, stats, gy, gx);
                tape.AddGrad(x, gx);
            }
            if (gamma.RequiresGrad || beta.RequiresGrad)
            {
                var ggamma = GradLike(gamma, k);
                var gbeta = GradLike(beta, k);
                Backend(x).LayerNormBackwardAffine(x.Value, stats, gy, ggamma, gbeta);
                tape.AddGrad(gamma, ggamma);
                tape.AddGrad(beta, gbeta);
            }
        }
    }
}
