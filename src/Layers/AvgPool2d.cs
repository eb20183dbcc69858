using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.AvgPool2d(k, stride=k) without padding (DenseNet's transitions), or with a stride and zero padding counted in
/// the mean (PyTorch's default count_include_pad=True: Inception v3's <c>avg_pool2d(x, 3, stride=1, padding=1)</c>): a
/// depthwise conv whose k×k weights are all 1/k², so forward and backward are the conv's.
/// x [N, C, H, W] → [N, C, (H + 2p − k)/s + 1, …] (floor).
/// </summary>
public sealed class AvgPool2d : Module
{
    readonly Var _weight;
    readonly int _stride, _padding;

    /// <param name="device">Where the constant weights live.</param>
    /// <param name="path">The module path (the output's name).</param>
    /// <param name="channels">Channels of the input.</param>
    /// <param name="kernel">Window size (and stride unless given).</param>
    /// <param name="stride">Stride; 0: the kernel.</param>
    /// <param name="padding">Zero padding, counted in every window's mean.</param>
    public AvgPool2d(Device device, string path, int channels, int kernel, int stride = 0, int padding = 0) : base(path)
    {
        if (kernel < 1 || stride < 0 || padding < 0 || 2 * padding > kernel)
            throw new ArgumentException($"AvgPool2d: kernel {kernel}, stride {stride}, padding {padding}");
        (_stride, _padding) = (stride == 0 ? kernel : stride, padding);
        var w = new float[channels * kernel * kernel];
        Array.Fill(w, 1f / (kernel * kernel));
        _weight = Parameter(device, new HostTensor(w, [channels, 1, kernel, kernel]));
    }

    /// <inheritdoc/>
    public override Var Forward(Var x) =>
        Output(Ops.Conv2d(x, _weight, null, (_stride, _stride), (_padding, _padding), x.Shape[1]));
}
