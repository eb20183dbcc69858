using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// Ultralytics' C2f: cv1 (1×1) to 2c channels, split into halves a, b; n inner blocks chained from b, each output
/// kept; cv2 (1×1) mixes the concatenation [a, b, m0, .., m(n-1)]. C2f's inner block is a Bottleneck 3×3 → 3×3 at
/// full width; YOLO11's C3k2 is the same with a Bottleneck at half width (e = 0.5) or, with c3k, a <see cref="C3k"/>.
/// </summary>
public sealed class C2f : Module
{
    /// <summary>The block repeated inside: C2f's Bottleneck (e = 1), C3k2's Bottleneck (e = 0.5) or C3k2's C3k.</summary>
    public enum Inner { C2f, C3k2, C3k }

    readonly ConvBlock _cv1, _cv2;
    readonly Module[] _m;
    readonly int _c;

    public C2f(BuildContext ctx, string path, int c1, int c2, int n = 1, bool shortcut = false, int g = 1, double e = 0.5,
        Inner inner = Inner.C2f)
        : base(path)
    {
        _c = (int)(c2 * e);
        if (_c < 1) throw new InvalidDataException($"{path}: C2f hidden width {_c} is below 1");
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, 2 * _c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), (2 + n) * _c, c2, 1, 1));
        _m = Enumerable.Range(0, n).Select(i => Child<Module>(inner switch
        {
            Inner.C2f => new UltralyticsBottleneck(ctx, $"{path}.m.{i}", _c, _c, shortcut, g, 3, 1.0),
            Inner.C3k2 => new UltralyticsBottleneck(ctx, $"{path}.m.{i}", _c, _c, shortcut, g, 3, 0.5),
            _ => new C3k(ctx, $"{path}.m.{i}", _c, _c, 2, shortcut, g),
        })).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        var parts = new List<Var> { Ops.Narrow(y, 1, 0, _c), Ops.Narrow(y, 1, _c, _c) };
        foreach (var m in _m) parts.Add(m.Forward(parts[^1]));
        return Output(_cv2.Forward(Ops.Concat([.. parts])));
    }
}

/// <summary>Ultralytics' Bottleneck with square kernels k (cv1 k×k to c2·e, cv2 k×k back to c2); + x when shortcut and the widths match.</summary>
public sealed class UltralyticsBottleneck : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly bool _add;

    public UltralyticsBottleneck(BuildContext ctx, string path, int c1, int c2, bool shortcut, int g, int k, double e) : base(path)
    {
        int c = (int)(c2 * e);
        if (c < 1) throw new InvalidDataException($"{path}: Bottleneck hidden width {c} is below 1");
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, k, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c, c2, k, 1, g: g));
        _add = shortcut && c1 == c2;
    }

    public override Var Forward(Var x)
    {
        var y = _cv2.Forward(_cv1.Forward(x));
        return Output(_add ? Ops.Add(x, y) : y);
    }
}
