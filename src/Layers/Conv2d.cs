using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>nn.Conv2d: weights [Cout, Cin/groups, kh, kw] and an optional bias, read from <c>{path}.weight</c> / <c>{path}.bias</c>.</summary>
public sealed class Conv2d : Module
{
    readonly Var _weight;
    readonly Var? _bias;

    public Conv2d(BuildContext ctx, string path, int cin, int cout, (int H, int W) kernel, (int H, int W) stride,
        (int H, int W) padding, int groups = 1)
        : base(path)
    {
        (Stride, Padding, Groups) = (stride, padding, groups);
        _weight = Parameter(ctx.Device, ctx.Weights.Take($"{path}.weight", cout, cin / groups, kernel.H, kernel.W));
        var bias = ctx.Weights.TakeOptional($"{path}.bias");
        if (bias != null) _bias = Parameter(ctx.Device, bias);
    }

    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public int Groups { get; }

    public override Var Forward(Var x) => Output(Ops.Conv2d(x, _weight, _bias, Stride, Padding, Groups));
}
