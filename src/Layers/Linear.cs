using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>nn.Linear: y = x Wᵀ + b with W [out, in] from <c>{path}.weight</c> and an optional bias <c>{path}.bias</c> [out].</summary>
public sealed class Linear : Module
{
    readonly Var _weight;
    readonly Var? _bias;

    public Linear(BuildContext ctx, string path, int inFeatures, int outFeatures) : base(path)
    {
        _weight = Parameter(ctx.Device, ctx.Weights.Take($"{path}.weight", outFeatures, inFeatures));
        var bias = ctx.Weights.TakeOptional($"{path}.bias");
        if (bias is null) return;
        if (bias.Shape is not [var n] || n != outFeatures)
            throw new InvalidDataException($"tensor '{path}.bias' has shape {Tensor.Format(bias.Shape)}, the network expects [{outFeatures}]");
        _bias = Parameter(ctx.Device, bias);
    }

    /// <summary>The weight W [out, in] (read by the original CAM: a class's row weights the channels of a pooled layer).</summary>
    public Var Weight => _weight;

    public override Var Forward(Var x) => Output(Ops.Linear(x, _weight, _bias));
}

/// <summary>nn.LayerNorm over the last axis with affine weight and bias [width] (<c>{path}.weight</c>, <c>{path}.bias</c>).</summary>
public sealed class LayerNorm : Module
{
    readonly Var _gamma, _beta;
    readonly float _eps;

    public LayerNorm(BuildContext ctx, string path, int width, double eps) : base(path)
    {
        _gamma = Parameter(ctx.Device, ctx.Weights.Take($"{path}.weight", width));
        _beta = Parameter(ctx.Device, ctx.Weights.Take($"{path}.bias", width));
        _eps = (float)eps;
    }

    public override Var Forward(Var x) => Output(Ops.LayerNorm(x, _gamma, _beta, _eps));
}
