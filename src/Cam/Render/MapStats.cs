namespace NativeCam.Cam.Render;

/// <summary>
/// What normalisation found in one map: its minimum and maximum over the normalised region (before
/// normalisation), and <see cref="Empty"/> when the map has no spread (max == min, or no finite comparison at
/// all): such a map is rendered as all zeros, never NaN, and a report should say so rather than show a flat
/// colour as if it meant something.
/// </summary>
public readonly record struct MapStats(float Min, float Max, bool Empty)
{
    /// <summary>The smallest range holding every one of <paramref name="stats"/> (NaN ranges skipped); empty when it
    /// has no spread.</summary>
    public static MapStats Union(IEnumerable<MapStats> stats)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var s in stats)
        {
            if (!float.IsNaN(s.Min) && s.Min < min) min = s.Min;
            if (!float.IsNaN(s.Max) && s.Max > max) max = s.Max;
        }
        return min <= max ? new MapStats(min, max, !(max > min)) : new MapStats(0, 0, true);
    }
}
