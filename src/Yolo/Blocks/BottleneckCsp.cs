using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5's BottleneckCSP (the pre-C3 CSP block): cv4(act(bn(cat(cv3(m(cv1(x))), cv2(x))))), where cv2
/// and cv3 are plain convs and the BatchNorm acts on the concatenation (so it stays a separate affine).
/// </summary>
public sealed class BottleneckCsp : Module
{
    readonly ConvBlock _cv1, _cv4;
    readonly Conv2d _cv2, _cv3;
    readonly BatchNorm2d _bn;
    readonly Activation _act;
    readonly Bottleneck[] _m;

    public BottleneckCsp(BuildContext ctx, string path, int c1, int c2, int n = 1, bool shortcut = true, int g = 1, double e = 0.5)
        : base(path)
    {
        int c = (int)(c2 * e);
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, 1, 1));
        _cv2 = Child(new Conv2d(ctx, Join(path, "cv2"), c1, c, (1, 1), (1, 1), (0, 0)));
        _cv3 = Child(new Conv2d(ctx, Join(path, "cv3"), c, c, (1, 1), (1, 1), (0, 0)));
        _cv4 = Child(new ConvBlock(ctx, Join(path, "cv4"), 2 * c, c2, 1, 1));
        _bn = Child(new BatchNorm2d(ctx, Join(path, "bn"), 2 * c));
        _act = ctx.ActivationAt(Join(path, "act"), Activation.Silu);
        _m = Enumerable.Range(0, n).Select(i => Child(new Bottleneck(ctx, $"{path}.m.{i}", c, c, shortcut, g, 1.0))).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        foreach (var b in _m) y = b.Forward(y);
        var joined = _bn.Forward(Ops.Concat(_cv3.Forward(y), _cv2.Forward(x)));
        return Output(_cv4.Forward(Output(_act.Apply(joined), "act")));
    }
}
