using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.ReLU6: min(max(x, 0), 6), composed from existing ops as ReLU(x) − ReLU(x − 6), so forward and backward (1 on
/// (0, 6), 0 elsewhere) are those of ReLU. Used by MobileNet v2.
/// </summary>
public sealed class Relu6 : Module
{
    readonly Var _minusSix;

    /// <param name="device">Where the constant lives.</param>
    /// <param name="path">The module path (the output's name).</param>
    public Relu6(Device device, string path) : base(path) => _minusSix = Parameter(device, new HostTensor([-6f], [1]));

    /// <inheritdoc/>
    public override Var Forward(Var x) =>
        Output(Ops.Add(Ops.Relu(x), Ops.Scale(Ops.Relu(Ops.Add(x, _minusSix)), -1f)));
}
