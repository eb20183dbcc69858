using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015) as a backward override on a tape: at the rectifying
/// activations (ReLU, ReLU6, SiLU, Hardswish, and the ReLU of a fused residual add + ReLU) only the positive part of the incoming gradient flows on,
/// gx = f′(x) · max(gy, 0). For ReLU that is the classic rule (gradient kept where both the input and the incoming
/// gradient are positive); SiLU and Hardswish keep their true slope f′(x), negative below x ≈ −1.28 and −1.5, so only
/// the signal from above is clipped. Every other op keeps its true gradient (docs/cam.md).
/// </summary>
public sealed class GuidedBackprop : IBackwardOverride
{
    /// <summary>Installs the rule on <paramref name="tape"/> until the returned scope is disposed.</summary>
    public static IDisposable On(Tape tape) => tape.Override(new GuidedBackprop());

    /// <summary>Whether <paramref name="op"/> is a rectifier whose backward the rule replaces.</summary>
    public static bool Applies(UnaryOp op) => op is UnaryOp.Relu or UnaryOp.Relu6 or UnaryOp.Silu or UnaryOp.Hardswish;

    /// <inheritdoc/>
    public bool TryBackward(Node node, Tensor gy, Tape tape)
    {
        if (node is Ops.AddReluNode addRelu) // a residual add fused with its ReLU (ResNet's block tail)
        {
            addRelu.Backward(gy, tape, guided: true);
            return true;
        }
        if (node is not Ops.UnaryNode u || !Applies(u.Function)) return false;
        var x = u.Input;
        var gx = Tensor.Empty(x.Device, [gy.Length / x.Value.Length, .. x.Shape]);
        x.Device.Backend.UnaryBackwardGuided(u.Function, x.Value, gy, gx);
        tape.AddGrad(x, gx);
        return true;
    }
}
