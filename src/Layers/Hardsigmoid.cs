using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.Hardsigmoid: ReLU6(x + 3) / 6, composed from existing ops as (ReLU(x + 3) − ReLU(x − 3)) / 6, so its forward is
/// exact and its backward is 1/6 on (−3, 3) and 0 outside (PyTorch's; at x = 3 itself this gives 1/6 where PyTorch
/// gives 0, a set of measure zero). Used by MobileNet v3's squeeze-excitation.
/// </summary>
public sealed class Hardsigmoid : Module
{
    readonly Var _plusThree, _minusThree;

    /// <param name="device">Where the constants live.</param>
    /// <param name="path">The module path (the output's name).</param>
    public Hardsigmoid(Device device, string path) : base(path)
    {
        _plusThree = Parameter(device, new HostTensor([3f], [1]));
        _minusThree = Parameter(device, new HostTensor([-3f], [1]));
    }

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Apply(x));

    /// <summary>Hardsigmoid of <paramref name="x"/> without naming the result.</summary>
    public Var Apply(Var x) =>
        Ops.Scale(Ops.Add(Ops.Relu(Ops.Add(x, _plusThree)), Ops.Scale(Ops.Relu(Ops.Add(x, _minusThree)), -1f)), 1f / 6f);
}
