using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>
/// nn.Hardsigmoid: ReLU6(x + 3) / 6, one pointwise op (<see cref="Ops.Hardsigmoid"/>); backward 1/6 on (−3, 3), 0
/// outside (PyTorch's). Used by MobileNet v3's squeeze-excitation.
/// </summary>
public sealed class Hardsigmoid : Module
{
    /// <param name="path">The module path (the output's name).</param>
    public Hardsigmoid(string path) : base(path) { }

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Apply(x));

    /// <summary>Hardsigmoid of <paramref name="x"/> without naming the result.</summary>
    public static Var Apply(Var x) => Ops.Hardsigmoid(x);
}
