using NativeCam.Autograd;
using NativeCam.Layers;

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

    /// <summary>ReLU6 <paramref name="act"/> after <paramref name="y"/> (named <paramref name="producer"/>).</summary>
    public static Var Apply(Relu6 act, Var y, string producer) => act.Forward(act.Forward(y).Named(producer));
}
