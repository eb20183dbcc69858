namespace NativeCam.Detectors;

/// <summary>
/// torchvision's AnchorGenerator with Faster R-CNN's FPN defaults: one size per level (32, 64, 128, 256, 512) and
/// aspect ratios 0.5, 1, 2. Cell anchors are (−w, −h, w, h)/2 rounded half to even (torch.round), w = size/√ratio,
/// h = size·√ratio in float32; a level's anchors are the cell anchors shifted to every location (y-major, then x,
/// then the 3 ratios) by the stride padded-image size // feature size.
/// </summary>
public static class AnchorGenerator
{
    /// <summary>fasterrcnn_resnet50_fpn's anchor sizes, one per level (P2–P6).</summary>
    public static readonly int[] Sizes = [32, 64, 128, 256, 512];

    /// <summary>Aspect ratios (height / width).</summary>
    public static readonly float[] Ratios = [0.5f, 1f, 2f];

    /// <summary>Anchors per location.</summary>
    public static int PerLocation => Ratios.Length;

    /// <summary>The cell anchors of one size: [ratios, 4].</summary>
    public static float[] CellAnchors(int size)
    {
        var cell = new float[Ratios.Length * 4];
        for (int r = 0; r < Ratios.Length; r++)
        {
            float hRatio = MathF.Sqrt(Ratios[r]), wRatio = 1f / hRatio;
            float ws = wRatio * size, hs = hRatio * size;
            cell[r * 4] = MathF.Round(-ws / 2, MidpointRounding.ToEven);
            cell[r * 4 + 1] = MathF.Round(-hs / 2, MidpointRounding.ToEven);
            cell[r * 4 + 2] = MathF.Round(ws / 2, MidpointRounding.ToEven);
            cell[r * 4 + 3] = MathF.Round(hs / 2, MidpointRounding.ToEven);
        }
        return cell;
    }

    /// <summary>One level's anchors [gridH·gridW·ratios, 4] for a padded image of imageH×imageW.</summary>
    public static float[] Level(int size, int gridH, int gridW, int imageH, int imageW) =>
        Shift(CellAnchors(size), gridH, gridW, imageH, imageW);

    /// <summary>
    /// The cell anchors of several sizes per location, as AnchorGenerator.generate_anchors orders them: ratio-major,
    /// then size ([ratios · sizes, 4]); RetinaNet passes three sizes per level (<see cref="RetinaSizes"/>).
    /// </summary>
    public static float[] CellAnchors(IReadOnlyList<int> sizes)
    {
        var cell = new float[Ratios.Length * sizes.Count * 4];
        for (int s = 0; s < sizes.Count; s++)
        {
            var one = CellAnchors(sizes[s]);
            for (int r = 0; r < Ratios.Length; r++) Array.Copy(one, r * 4, cell, (r * sizes.Count + s) * 4, 4);
        }
        return cell;
    }

    /// <summary>
    /// retinanet_resnet50_fpn's anchor sizes for level <paramref name="level"/> (P3–P7): x, int(x·2^(1/3)),
    /// int(x·2^(2/3)) for x = 32 · 2^level.
    /// </summary>
    public static int[] RetinaSizes(int level)
    {
        int x = Sizes[level];
        return [x, (int)(x * Math.Pow(2, 1.0 / 3)), (int)(x * Math.Pow(2, 2.0 / 3))];
    }

    /// <summary>The cell anchors <paramref name="cell"/> [a, 4] shifted to every location of a gridH×gridW level of a padded imageH×imageW image: [gridH·gridW·a, 4].</summary>
    public static float[] Shift(float[] cell, int gridH, int gridW, int imageH, int imageW)
    {
        int a = cell.Length / 4, strideH = imageH / gridH, strideW = imageW / gridW;
        var anchors = new float[gridH * gridW * a * 4];
        for (int y = 0; y < gridH; y++)
            for (int x = 0; x < gridW; x++)
                for (int r = 0; r < a; r++)
                {
                    int o = ((y * gridW + x) * a + r) * 4;
                    anchors[o] = x * strideW + cell[r * 4];
                    anchors[o + 1] = y * strideH + cell[r * 4 + 1];
                    anchors[o + 2] = x * strideW + cell[r * 4 + 2];
                    anchors[o + 3] = y * strideH + cell[r * 4 + 3];
                }
        return anchors;
    }
}
