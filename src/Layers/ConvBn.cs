using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.Conv2d followed by an inference-mode nn.BatchNorm2d, folded into one conv at build time
/// (<see cref="BatchNormFold"/>). The output is named with the BatchNorm's path: the conv's own output (before the
/// BatchNorm) no longer exists, so <see cref="ConvPath"/> cannot be watched. Used by torchvision's classifiers
/// (ResNet's conv1/bn1, VGG-BN, DenseNet's conv1/norm2, MobileNet's Conv2dNormActivation).
/// </summary>
public sealed class ConvBn : Module
{
    readonly Var _weight, _bias;

    /// <param name="ctx">Build context holding the weights.</param>
    /// <param name="convPath">The conv's module path (weights <c>{convPath}.weight</c>, optional bias).</param>
    /// <param name="bnPath">The BatchNorm's module path; also the name of the output.</param>
    /// <param name="cin">Input channels.</param>
    /// <param name="cout">Output channels.</param>
    /// <param name="kernel">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding.</param>
    /// <param name="groups">Conv groups (cin for a depthwise conv).</param>
    /// <param name="eps">The BatchNorm's epsilon when the family fixes it (MobileNet v3: 1e-3); null: the checkpoint's record, else 1e-5.</param>
    public ConvBn(BuildContext ctx, string convPath, string bnPath, int cin, int cout, int kernel, int stride, int padding, int groups = 1,
        double? eps = null)
        : this(ctx, convPath, bnPath, cin, cout, (kernel, kernel), (stride, stride), (padding, padding), groups, eps)
    {
    }

    /// <summary>A conv of a rectangular kernel, stride and padding (Inception v3's 1×7 and 7×1 convs); as the square one.</summary>
    public ConvBn(BuildContext ctx, string convPath, string bnPath, int cin, int cout, (int H, int W) kernel, (int H, int W) stride,
        (int H, int W) padding, int groups = 1, double? eps = null)
        : base(bnPath)
    {
        (ConvPath, Stride, Padding, Groups) = (convPath, stride, padding, groups);
        var w = ctx.Weights;
        var weight = w.Take($"{convPath}.weight", cout, cin / groups, kernel.H, kernel.W);
        var bias = w.TakeOptional($"{convPath}.bias");
        var (fw, fb) = BatchNormFold.Fold(weight, bias, w.Take($"{bnPath}.weight", cout), w.Take($"{bnPath}.bias", cout),
            w.Take($"{bnPath}.running_mean", cout), w.Take($"{bnPath}.running_var", cout), eps ?? ctx.BatchNormEps(bnPath));
        _weight = Parameter(ctx.Device, fw);
        _bias = Parameter(ctx.Device, fb);
    }

    /// <summary>The conv's path, folded away.</summary>
    public string ConvPath { get; }

    /// <summary>The conv's stride (rows, columns).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>The conv's zero padding (rows, columns).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>The conv's groups.</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override Var Forward(Var x) => Output(Ops.Conv2d(x, _weight, _bias, Stride, Padding, Groups));

    /// <summary>
    /// The conv and the activation <paramref name="act"/> after it in one backend pass (<see cref="Ops.Conv2dActivation"/>,
    /// as YOLO's ConvBlock): returns the BatchNorm output, named with this path (null on an inference tape, which does
    /// not keep it, nor a <see cref="Tape.WatchedOnly"/> one not watching it), and the activated output, unnamed.
    /// Gradients and taps are those of <see cref="Forward"/> then the activation.
    /// </summary>
    public (Var? Normed, Var Activated) ForwardActivated(Var x, UnaryOp act)
    {
        var (normed, activated) = Ops.Conv2dActivation(x, _weight, _bias, Stride, Padding, Groups, act, Path);
        return (normed is null ? null : Output(normed), activated);
    }
}
