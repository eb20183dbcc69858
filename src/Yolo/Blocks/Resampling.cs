using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>nn.Upsample(scale_factor=s, mode='nearest').</summary>
public sealed class Upsample(string path, int scale) : Module(path)
{
    public override Var Forward(Var x) => Output(Ops.Upsample(x, scale));
}

/// <summary>
/// DWConvTranspose2d: a learned depth-wise upsampling, nn.ConvTranspose2d with groups = gcd(c1, c2); its
/// weights sit at <c>{path}.weight</c> [c1, c2/groups, k, k] and <c>{path}.bias</c>.
/// </summary>
public sealed class DwConvTranspose : Module
{
    readonly Var _weight;
    readonly Var? _bias;
    readonly int _stride, _padding, _outputPadding, _groups;

    public DwConvTranspose(BuildContext ctx, string path, int c1, int c2, int k = 1, int s = 1, int p1 = 0, int p2 = 0) : base(path)
    {
        _groups = GhostBottleneck.Gcd(c1, c2);
        (_stride, _padding, _outputPadding) = (s, p1, p2);
        _weight = Parameter(ctx.Device, ctx.Weights.Take($"{path}.weight", c1, c2 / _groups, k, k));
        var bias = ctx.Weights.TakeOptional($"{path}.bias");
        if (bias != null) _bias = Parameter(ctx.Device, bias);
    }

    public override Var Forward(Var x) => Output(Ops.ConvTranspose2d(x, _weight, _bias,
        (_stride, _stride), (_padding, _padding), (_outputPadding, _outputPadding), _groups));
}
