using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// Ultralytics' C2f: cv1 (1×1) to 2c channels, split into halves a, b; n bottlenecks (3×3 then 3×3, width c)
/// chained from b, each output kept; cv2 (1×1) mixes the concatenation [a, b, m0, .., m(n-1)].
/// </summary>
public sealed class C2f : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly Module[] _m;
    readonly int _c;

    public C2f(BuildContext ctx, string path, int c1, int c2, int n = 1, bool shortcut = false, int g = 1, double e = 0.5)
        : base(path)
    {
        _c = (int)(c2 * e);
        if (_c < 1) throw new InvalidDataException($"{path}: C2f hidden width {_c} is below 1");
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, 2 * _c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), (2 + n) * _c, c2, 1, 1));
        _m = Enumerable.Range(0, n).Select(i => (Module)Child(new Bottleneck3x3(ctx, $"{path}.m.{i}", _c, _c, shortcut, g))).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        var parts = new List<Var> { Ops.Narrow(y, 1, 0, _c), Ops.Narrow(y, 1, _c, _c) };
        foreach (var m in _m) parts.Add(m.Forward(parts[^1]));
        return Output(_cv2.Forward(Ops.Concat([.. parts])));
    }
}

/// <summary>The Bottleneck inside C2f: k = (3, 3), e = 1, so cv1 and cv2 are both 3×3 at full width; + x when shortcut.</summary>
public sealed class Bottleneck3x3 : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly bool _add;

    public Bottleneck3x3(BuildContext ctx, string path, int c1, int c2, bool shortcut, int g = 1) : base(path)
    {
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c2, 3, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c2, c2, 3, 1, g: g));
        _add = shortcut && c1 == c2;
    }

    public override Var Forward(Var x)
    {
        var y = _cv2.Forward(_cv1.Forward(x));
        return Output(_add ? Ops.Add(x, y) : y);
    }
}
