namespace NativeCam.Cam.Faithfulness;

/// <summary>
/// Which pixels ROAD keeps at a percentile (pytorch-grad-cam's <c>RemoveMostRelevantFirst</c> /
/// <c>RemoveLeastRelevantFirst</c>): with t the p-th percentile of the map's values
/// (NumPy's default, linear interpolation between order statistics), most relevant first keeps the pixels with
/// m &lt; t (removes the top 100 − p %), least relevant first the pixels with 1 − m &lt; t' for t' the percentile of
/// 1 − m (removes the bottom 100 − p %). The map is expected in [0, 1] (pytorch-grad-cam's scaled maps).
/// </summary>
public static class RoadMask
{
    /// <summary>keep[p] for each pixel of <paramref name="map"/>.</summary>
    public static bool[] Keep(float[] map, double percentile, bool mostRelevantFirst)
    {
        var values = mostRelevantFirst ? map : map.Select(v => 1f - v).ToArray(); // float32, as theirs
        double t = Percentile(values, percentile);
        return values.Select(v => v < t).ToArray();
    }

    /// <summary>numpy.percentile(values, q) (method "linear") of float32 values: the (q/100)·(n − 1)-th order statistic,
    /// interpolated as NumPy's <c>_lerp</c> does it (the difference of the neighbours in float32, the rest in double,
    /// from the upper neighbour when the fraction is ≥ 0.5), so a pixel at the threshold falls on the same side.</summary>
    public static double Percentile(float[] values, double q)
    {
        if (values.Length == 0 || !(q is >= 0 and <= 100)) throw new ArgumentException($"percentile {q} of {values.Length} values");
        var sorted = values.Order().ToArray();
        double at = (sorted.Length - 1) * (q / 100);
        int lo = (int)Math.Floor(at), hi = Math.Min(lo + 1, sorted.Length - 1);
        double t = at - lo, diff = sorted[hi] - sorted[lo];
        return t >= 0.5 ? sorted[hi] - diff * (1 - t) : sorted[lo] + diff * t;
    }
}
