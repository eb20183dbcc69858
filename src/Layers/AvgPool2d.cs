using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.AvgPool2d(k, stride=k) without padding (DenseNet's transitions): a depthwise conv whose k×k weights are all
/// 1/k², so forward and backward are the conv's. x [N, C, H, W] → [N, C, H/k, W/k] (floor).
/// </summary>
public sealed class AvgPool2d : Module
{
    readonly Var _weight;
    readonly int _kernel;

    /// <param name="device">Where the constant weights live.</param>
    /// <param name="path">The module path (the output's name).</param>
    /// <param name="channels">Channels of the input.</param>
    /// <param name="kernel">Window size and stride.</param>
    public AvgPool2d(Device device, string path, int channels, int kernel) : base(path)
    {
        if (kernel < 1) throw new ArgumentException($"AvgPool2d: kernel {kernel}");
        _kernel = kernel;
        var w = new float[channels * kernel * kernel];
        Array.Fill(w, 1f / (kernel * kernel));
        _weight = Parameter(device, new HostTensor(w, [channels, 1, kernel, kernel]));
    }

    /// <inheritdoc/>
    public override Var Forward(Var x) =>
        Output(Ops.Conv2d(x, _weight, null, (_kernel, _kernel), (0, 0), x.Shape[1]));
}
