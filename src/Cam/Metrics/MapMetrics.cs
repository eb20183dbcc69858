using NativeCam.Imaging;

namespace NativeCam.Cam.Metrics;

/// <summary>
/// How well one map (row-major [height, width], at the original image's resolution) explains one detection's box
/// (pixels; pixel (x, y) is inside when its centre (x + ½, y + ½) is). Definitions and formulas: docs/cam.md.
/// </summary>
public static class MapMetrics
{
    /// <summary>The fraction of the map's maximum that bounds the region of <see cref="LocalisationIoU"/> (15 %, as the
    /// Grad-CAM paper's weakly-supervised localisation).</summary>
    public const double RegionThreshold = 0.15;

    /// <summary>Energy-based pointing game: Σ_{p∈box} max(m_p, 0) / Σ_p max(m_p, 0); 0 for a map with no positive mass.</summary>
    public static double EnergyInBox(ReadOnlySpan<float> map, int height, int width, Box box)
    {
        Check(map, height, width);
        var (x0, y0, x1, y1) = Inside(box, height, width);
        double total = 0, inside = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = map[y * width + x];
                if (!(v > 0)) continue;
                total += v;
                if (y >= y0 && y < y1 && x >= x0 && x < x1) inside += v;
            }
        return total > 0 ? inside / total : 0;
    }

    /// <summary>Pointing game: is the map's maximum inside the box? The first maximum in row-major order counts on
    /// ties; a map whose maximum is not positive points nowhere (false).</summary>
    public static bool Pointing(ReadOnlySpan<float> map, int height, int width, Box box)
    {
        Check(map, height, width);
        int best = -1;
        float max = 0;
        for (int i = 0; i < map.Length; i++)
            if (map[i] > max) { max = map[i]; best = i; }
        if (best < 0) return false;
        var (x0, y0, x1, y1) = Inside(box, height, width);
        int by = best / width, bx = best % width;
        return by >= y0 && by < y1 && bx >= x0 && bx < x1;
    }

    /// <summary>Localisation IoU: the bounding box of the largest 8-connected region where m ≥ 15 % of max(m)
    /// (<see cref="LargestRegion"/>), IoU with <paramref name="box"/>; 0 for a map whose maximum is not positive.</summary>
    public static double LocalisationIoU(ReadOnlySpan<float> map, int height, int width, Box box)
    {
        Check(map, height, width);
        return LargestRegion.BoundingBox(map, height, width, RegionThreshold) is { } region ? IoU(region, box) : 0;
    }

    /// <summary>Intersection over union of two boxes; 0 when both are empty.</summary>
    public static double IoU(Box a, Box b)
    {
        double iw = Math.Max(0, Math.Min(a.X2, b.X2) - (double)Math.Max(a.X1, b.X1));
        double ih = Math.Max(0, Math.Min(a.Y2, b.Y2) - (double)Math.Max(a.Y1, b.Y1));
        double inter = iw * ih;
        double union = Area(a) + Area(b) - inter;
        return union > 0 ? inter / union : 0;
    }

    static double Area(Box b) => Math.Max(0, (double)b.X2 - b.X1) * Math.Max(0, (double)b.Y2 - b.Y1);

    // The pixel rows/columns [y0, y1) × [x0, x1) whose centres lie in the box, clipped to the map.
    static (int X0, int Y0, int X1, int Y1) Inside(Box box, int height, int width) => (
        Math.Clamp((int)Math.Ceiling(box.X1 - 0.5), 0, width), Math.Clamp((int)Math.Ceiling(box.Y1 - 0.5), 0, height),
        Math.Clamp((int)Math.Floor(box.X2 - 0.5) + 1, 0, width), Math.Clamp((int)Math.Floor(box.Y2 - 0.5) + 1, 0, height));

    internal static void Check(ReadOnlySpan<float> map, int height, int width)
    {
        if (height < 1 || width < 1 || map.Length != height * width)
            throw new ArgumentException($"map metrics: {map.Length} values are not a {height}x{width} map");
    }
}
