using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.Hardswish: x · ReLU6(x + 3) / 6, composed as x · <see cref="Hardsigmoid"/>(x). Its backward is PyTorch's:
/// 0 below −3, x/3 + 1/2 on (−3, 3), 1 above 3. Used by MobileNet v3.
/// </summary>
public sealed class Hardswish : Module
{
    readonly Hardsigmoid _gate;

    /// <param name="device">Where the constants live.</param>
    /// <param name="path">The module path (the output's name).</param>
    public Hardswish(Device device, string path) : base(path) => _gate = Child(new Hardsigmoid(device, path));

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Ops.Mul(x, _gate.Apply(x)));
}
