using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// Focus (YOLOv5 before v6): space-to-depth, then a conv. The four pixel phases (even/odd row × even/odd
/// column) become channel blocks in PyTorch's order x[::2,::2], x[1::2,::2], x[::2,1::2], x[1::2,1::2]:
/// viewing x as [N, C, H/2, 2(dy), W/2, 2(dx)] and permuting to [N, dx, dy, C, H/2, W/2] gives exactly
/// channel (2·dx + dy)·C + c, so no dedicated kernel is needed.
/// </summary>
public sealed class Focus : Module
{
    readonly ConvBlock _conv;

    public Focus(BuildContext ctx, string path, int c1, int c2, int k = 1, int s = 1, int? p = null, int g = 1, bool act = true) : base(path) =>
        _conv = Child(new ConvBlock(ctx, Join(path, "conv"), c1 * 4, c2, k, s, p, g, act));

    public override Var Forward(Var x)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (h % 2 != 0 || w % 2 != 0) throw new ArgumentException($"{Path}: Focus needs an even input size, got {h}x{w}");
        var phases = Ops.Permute(Ops.Reshape(x, n, c, h / 2, 2, w / 2, 2), 0, 5, 3, 1, 2, 4);
        return Output(_conv.Forward(Ops.Reshape(phases, n, 4 * c, h / 2, w / 2)));
    }
}
