using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>nn.ReLU6: min(max(x, 0), 6), one pointwise op (<see cref="Ops.Relu6"/>); backward 1 on (0, 6), 0 elsewhere. Used by MobileNet v2.</summary>
public sealed class Relu6 : Module
{
    /// <param name="path">The module path (the output's name).</param>
    public Relu6(string path) : base(path) { }

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Ops.Relu6(x));
}
