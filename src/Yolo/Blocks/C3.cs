using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5's C3 (CSP bottleneck with 3 convs): cv3(cat(m(cv1(x)), cv2(x))). The inner blocks <c>m</c> are
/// Bottlenecks (C3), CrossConvs (C3x) or GhostBottlenecks (C3Ghost): the variants differ only there.
/// </summary>
public sealed class C3 : Module
{
    /// <summary>The block repeated inside: YOLOv5's C3 (Bottleneck), C3x (CrossConv) or C3Ghost.</summary>
    public enum Inner { Bottleneck, CrossConv, Ghost }

    readonly ConvBlock _cv1, _cv2, _cv3;
    readonly Module[] _m;

    public C3(BuildContext ctx, string path, int c1, int c2, int n = 1, bool shortcut = true, int g = 1, double e = 0.5, Inner inner = Inner.Bottleneck)
        : base(path)
    {
        int c = (int)(c2 * e);
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c1, c, 1, 1));
        _cv3 = Child(new ConvBlock(ctx, Join(path, "cv3"), 2 * c, c2, 1));
        _m = Enumerable.Range(0, n).Select(i => Child<Module>(inner switch
        {
            Inner.Bottleneck => new Bottleneck(ctx, $"{path}.m.{i}", c, c, shortcut, g, 1.0),
            Inner.CrossConv => new CrossConv(ctx, $"{path}.m.{i}", c, c, 3, 1, g, 1.0, shortcut),
            _ => new GhostBottleneck(ctx, $"{path}.m.{i}", c, c),
        })).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        foreach (var b in _m) y = b.Forward(y);
        return Output(_cv3.Forward(Ops.Concat(y, _cv2.Forward(x))));
    }
}
