using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>YOLOv5's Bottleneck: cv2(cv1(x)) (1×1 then 3×3), plus x when <c>shortcut</c> and the widths match.</summary>
public sealed class Bottleneck : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly bool _add;

    public Bottleneck(BuildContext ctx, string path, int c1, int c2, bool shortcut = true, int g = 1, double e = 0.5)
        : base(path)
    {
        int c = (int)(c2 * e);
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c, c2, 3, 1, g: g));
        _add = shortcut && c1 == c2;
    }

    public override Var Forward(Var x)
    {
        var y = _cv2.Forward(_cv1.Forward(x));
        return Output(_add ? Ops.Add(x, y) : y);
    }
}
