using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision's BasicConv2d of Inception v3 and GoogLeNet at <c>path</c>: <c>{path}.conv</c> (no bias) and
/// <c>{path}.bn</c> (BatchNorm, eps 0.001 as the class sets it) folded into one conv, then
/// <c>F.relu(x, inplace=True)</c>. The output is named <c>path</c>; <c>{path}.bn</c> holds what a hook on the BatchNorm
/// sees, the ReLU'd values (the in-place ReLU overwrote them, <see cref="InPlaceRelu"/>). Kernel, stride and padding are
/// the class's own (not in a state dict); the kernel is checked against the weights.
/// </summary>
sealed class BasicConv2d
{
    readonly ConvBn _conv;

    public BasicConv2d(BuildContext ctx, ClassifierModel owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin,
        (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        Path = path;
        Out = ArchInference.Shape(shapes, $"{path}.conv.weight")[0];
        _conv = owner.Register(new ConvBn(ctx, $"{path}.conv", $"{path}.bn", cin, Out, kernel, stride, padding, eps: 1e-3));
    }

    /// <summary>A square kernel k with stride s and padding p.</summary>
    public BasicConv2d(BuildContext ctx, ClassifierModel owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin,
        int kernel, int stride = 1, int padding = 0)
        : this(ctx, owner, path, shapes, cin, (kernel, kernel), (stride, stride), (padding, padding))
    {
    }

    public string Path { get; }

    /// <summary>Output channels.</summary>
    public int Out { get; }

    public Var Forward(Var x) => InPlaceRelu.Apply(_conv.Forward(x), _conv.Path, Path);
}
