using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// What PyTorch hooks see at a module whose output an in-place activation (torchvision's <c>ReLU(inplace=True)</c>,
/// <c>ReLU6(inplace=True)</c>) overwrites next: the hooked tensor then holds the activated values, while its gradient
/// hook still receives the gradient of the module's own output (zero where the activation clipped). Applying the
/// activation twice reproduces both: the inner result, named with the module's path, holds the activated values and
/// receives the outer activation's masked gradient; the outer result (the same values: ReLU and ReLU6 are idempotent)
/// is the activation module's output. docs/classifiers.md, "What a watched layer holds".
/// </summary>
static class InPlaceRelu
{
    /// <summary>ReLU after <paramref name="y"/> (named <paramref name="producer"/>), the result named <paramref name="relu"/>.</summary>
    public static Var Apply(Var y, string producer, string relu) => Ops.Relu(Ops.Relu(y).Named(producer)).Named(relu);

    /// <summary>
    /// The same for a conv-BN <paramref name="conv"/> and its activation <paramref name="op"/> (ReLU or ReLU6) in one fused
    /// conv pass: the inner result, named with the BatchNorm's path, is the fused conv's activated output; the outer
    /// (<paramref name="outer"/>: the activation module's output) applies the activation again.
    /// </summary>
    public static Var Fused(ConvBn conv, Var x, UnaryOp op, Func<Var, Var> outer)
    {
        var (_, activated) = conv.ForwardActivated(x, op);
        return outer(activated.Named(conv.Path));
    }
}
