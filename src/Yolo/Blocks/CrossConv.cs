using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>YOLOv5's CrossConv: a 1×k conv then a k×1 conv (a separable k×k), with an optional shortcut.</summary>
public sealed class CrossConv : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly bool _add;

    public CrossConv(BuildContext ctx, string path, int c1, int c2, int k = 3, int s = 1, int g = 1, double e = 1.0, bool shortcut = false)
        : base(path)
    {
        int c = (int)(c2 * e);
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, (1, k), (1, s)));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c, c2, (k, 1), (s, 1), g: g));
        _add = shortcut && c1 == c2;
    }

    public override Var Forward(Var x)
    {
        var y = _cv2.Forward(_cv1.Forward(x));
        return Output(_add ? Ops.Add(x, y) : y);
    }
}
