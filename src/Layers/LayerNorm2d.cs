using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>
/// torchvision's LayerNorm2d (ConvNeXt): nn.LayerNorm over the channels at each pixel of x [N, C, H, W], with affine
/// weight and bias [C] (<c>{path}.weight</c>, <c>{path}.bias</c>). As torchvision computes it: permute to
/// [N, H, W, C], LayerNorm over the last axis, permute back (the tested Permute and LayerNorm ops, so forward and
/// backward are theirs).
/// </summary>
public sealed class LayerNorm2d : Module
{
    readonly Var _gamma, _beta;
    readonly float _eps;

    /// <param name="ctx">Build context holding the weights.</param>
    /// <param name="path">The module path.</param>
    /// <param name="channels">C, the width of the weight and bias.</param>
    /// <param name="eps">Added to the variance (ConvNeXt: 1e-6; not in a state dict).</param>
    public LayerNorm2d(BuildContext ctx, string path, int channels, double eps) : base(path)
    {
        _gamma = Parameter(ctx.Device, ctx.Weights.Take($"{path}.weight", channels));
        _beta = Parameter(ctx.Device, ctx.Weights.Take($"{path}.bias", channels));
        _eps = (float)eps;
    }

    /// <inheritdoc/>
    public override Var Forward(Var x)
    {
        var y = Ops.LayerNorm(Ops.Permute(x, 0, 2, 3, 1), _gamma, _beta, _eps);
        return Output(Ops.Permute(y, 0, 3, 1, 2));
    }
}
