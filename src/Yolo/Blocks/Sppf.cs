using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// Spatial pyramid pooling. SPPF chains one k×k max-pool three times (5, 9 and 13 effective windows) and
/// concatenates the four stages; SPP pools the input with each window size directly. Both: cv1 halves the
/// channels first, cv2 mixes the concatenation.
/// </summary>
public sealed class Sppf : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly int[] _kernels;
    readonly bool _chained;

    Sppf(BuildContext ctx, string path, int c1, int c2, int[] kernels, bool chained) : base(path)
    {
        int c = c1 / 2;
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), c * (kernels.Length + 1), c2, 1, 1));
        (_kernels, _chained) = (kernels, chained);
    }

    /// <summary>SPPF(c1, c2, k): three chained k×k pools.</summary>
    public static Sppf Fast(BuildContext ctx, string path, int c1, int c2, int k = 5) => new(ctx, path, c1, c2, [k, k, k], true);

    /// <summary>SPP(c1, c2, (k1, k2, ...)): parallel pools.</summary>
    public static Sppf Pyramid(BuildContext ctx, string path, int c1, int c2, int[] ks) => new(ctx, path, c1, c2, ks, false);

    public override Var Forward(Var x)
    {
        x = _cv1.Forward(x);
        var stages = new List<Var> { x };
        foreach (int k in _kernels)
            stages.Add(Ops.MaxPool2d(_chained ? stages[^1] : x, k, 1, k / 2));
        return Output(_cv2.Forward(Ops.Concat([.. stages])));
    }
}
