using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// A model with torchvision's <c>transform_input</c> (Inception3, GoogLeNet): when on, the first thing the forward
/// does is re-normalise the ImageNet-normalised input to the (x − 0.5)/0.5 normalisation the original Google weights
/// were trained with. A state dict does not record it; torchvision's <c>inception_v3(weights=...)</c> and
/// <c>googlenet(weights=...)</c> turn it on, so NativeCam's default is on (docs/classifiers.md).
/// </summary>
public interface ITransformInput
{
    /// <summary>Whether the forward re-normalises its input (default true, as torchvision's pretrained builders).</summary>
    bool TransformInput { get; set; }
}

/// <summary>
/// torchvision's <c>_transform_input</c>: channel c becomes x_c · (std_c / 0.5) + (mean_c − 0.5) / 0.5 with ImageNet's
/// mean and std, as a depthwise 1×1 conv (so gradients reach the input, for guided backprop). Its output is unnamed:
/// PyTorch has no module there.
/// </summary>
sealed class InputRenormalisation : Module
{
    static readonly double[] Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225];
    readonly Var _weight, _bias;

    public InputRenormalisation(Device device) : base("transform_input")
    {
        _weight = Parameter(device, new HostTensor(Std.Select(s => (float)(s / 0.5)).ToArray(), [3, 1, 1, 1]));
        _bias = Parameter(device, new HostTensor(Mean.Select(m => (float)((m - 0.5) / 0.5)).ToArray(), [3]));
    }

    public override Var Forward(Var x) => Ops.Conv2d(x, _weight, _bias, (1, 1), (0, 0), 3);
}
