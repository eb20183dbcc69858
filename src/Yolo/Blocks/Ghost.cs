using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>GhostConv: half the output from a regular conv, the other half from a cheap 5×5 depth-wise conv of it.</summary>
public sealed class GhostConv : Module
{
    readonly ConvBlock _cv1, _cv2;

    public GhostConv(BuildContext ctx, string path, int c1, int c2, int k = 1, int s = 1, int g = 1, bool act = true) : base(path)
    {
        int c = c2 / 2;
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, k, s, null, g, act));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c, c, 5, 1, null, c, act));
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        return Output(Ops.Concat(y, _cv2.Forward(y)));
    }
}

/// <summary>GhostBottleneck: GhostConv → (depth-wise stride-2 conv) → GhostConv, plus a shortcut.</summary>
public sealed class GhostBottleneck : Module
{
    readonly Module[] _conv;
    readonly Module[] _shortcut;

    public GhostBottleneck(BuildContext ctx, string path, int c1, int c2, int k = 3, int s = 1) : base(path)
    {
        int c = c2 / 2;
        var conv = new List<Module> { Child(new GhostConv(ctx, $"{path}.conv.0", c1, c, 1, 1)) };
        if (s == 2) conv.Add(Child(new ConvBlock(ctx, $"{path}.conv.1", c, c, k, s, null, Gcd(c, c), act: false)));
        conv.Add(Child(new GhostConv(ctx, $"{path}.conv.2", c, c2, 1, 1, act: false)));
        _conv = [.. conv];
        _shortcut = s == 2
            ? [Child(new ConvBlock(ctx, $"{path}.shortcut.0", c1, c1, k, s, null, Gcd(c1, c1), act: false)),
               Child(new ConvBlock(ctx, $"{path}.shortcut.1", c1, c2, 1, 1, act: false))]
            : [];
    }

    internal static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    public override Var Forward(Var x)
    {
        var y = x;
        foreach (var m in _conv) y = m.Forward(y);
        var shortcut = x;
        foreach (var m in _shortcut) shortcut = m.Forward(shortcut);
        return Output(Ops.Add(y, shortcut));
    }
}
