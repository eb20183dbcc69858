using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// torchvision.ops.SqueezeExcitation at <c>path</c>: s = scale(fc2(act(fc1(mean over H, W of x)))), output s · x,
/// fc1/fc2 1×1 convs with biases (<c>{path}.fc1</c> C → squeeze, <c>{path}.fc2</c> squeeze → C; the squeeze width is
/// read from the weights). act is ReLU (torchvision's default, MobileNet v3) or SiLU (EfficientNet); the scale
/// activation is Hardsigmoid (MobileNet v3) or Sigmoid (EfficientNet).
/// </summary>
public sealed class SqueezeExcitation : Module
{
    readonly Conv2d _fc1, _fc2;
    readonly Func<Var, Var> _scale, _activation;

    /// <param name="ctx">Build context holding the weights.</param>
    /// <param name="path">The module path.</param>
    /// <param name="channels">Input (and output) channels.</param>
    /// <param name="scale">The scale activation (e.g. a <see cref="Hardsigmoid"/>'s Forward, or Ops.Sigmoid).</param>
    /// <param name="activation">The activation between fc1 and fc2 (null: ReLU, torchvision's default; EfficientNet: Ops.Silu).</param>
    public SqueezeExcitation(BuildContext ctx, string path, int channels, Func<Var, Var> scale, Func<Var, Var>? activation = null) : base(path)
    {
        var w = ctx.Weights.Take($"{path}.fc1.weight", null);
        if (w.Shape is not [var squeeze, var c, 1, 1] || c != channels)
            throw new InvalidDataException($"tensor '{path}.fc1.weight' has shape {Tensor.Format(w.Shape)}, the network expects [squeeze, {channels}, 1, 1]");
        Squeeze = squeeze;
        _fc1 = Child(new Conv2d(ctx, $"{path}.fc1", channels, squeeze, (1, 1), (1, 1), (0, 0)));
        _fc2 = Child(new Conv2d(ctx, $"{path}.fc2", squeeze, channels, (1, 1), (1, 1), (0, 0)));
        _scale = scale;
        _activation = activation ?? Ops.Relu;
    }

    /// <summary>The squeeze width.</summary>
    public int Squeeze { get; }

    /// <inheritdoc/>
    public override Var Forward(Var x)
    {
        var s = Ops.Mean(x, [2, 3], keepDim: true);
        s = _scale(_fc2.Forward(_activation(_fc1.Forward(s))));
        return Output(Ops.Mul(x, s));
    }
}
