using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>
/// nn.Hardswish: x · ReLU6(x + 3) / 6, one pointwise op (<see cref="Ops.Hardswish"/>). Its backward is PyTorch's:
/// 0 below −3, x/3 + 1/2 on [−3, 3], 1 above 3. Used by MobileNet v3.
/// </summary>
public sealed class Hardswish : Module
{
    /// <param name="path">The module path (the output's name).</param>
    public Hardswish(string path) : base(path) { }

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Ops.Hardswish(x));
}
