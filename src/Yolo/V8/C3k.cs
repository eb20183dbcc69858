using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>YOLO11's C3k: a C3 (cv3(cat(m(cv1(x)), cv2(x)))) whose n Bottlenecks are k×k → k×k at full width.</summary>
public sealed class C3k : Module
{
    readonly ConvBlock _cv1, _cv2, _cv3;
    readonly Module[] _m;

    public C3k(BuildContext ctx, string path, int c1, int c2, int n = 1, bool shortcut = true, int g = 1, double e = 0.5, int k = 3)
        : base(path)
    {
        int c = (int)(c2 * e);
        if (c < 1) throw new InvalidDataException($"{path}: C3k hidden width {c} is below 1");
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c1, c, 1, 1));
        _cv3 = Child(new ConvBlock(ctx, Join(path, "cv3"), 2 * c, c2, 1));
        _m = Enumerable.Range(0, n).Select(i => (Module)Child(new UltralyticsBottleneck(ctx, $"{path}.m.{i}", c, c, shortcut, g, k, 1.0))).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        foreach (var b in _m) y = b.Forward(y);
        return Output(_cv3.Forward(Ops.Concat(y, _cv2.Forward(x))));
    }
}
