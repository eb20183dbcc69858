using NativeCam.Imaging;

namespace NativeCam.Cam.Metrics;

/// <summary>The largest connected region of a map above a fraction of its maximum, as the box around it.</summary>
public static class LargestRegion
{
    /// <summary>
    /// Pixels with m ≥ <paramref name="fraction"/>·max(m), grouped by 8-connectivity; the region with the most pixels
    /// (on ties the one whose first pixel comes first in row-major order) as the box [xmin, xmax + 1] × [ymin, ymax + 1]
    /// in pixel edges. Null when max(m) is not positive.
    /// </summary>
    public static Box? BoundingBox(ReadOnlySpan<float> map, int height, int width, double fraction)
    {
        MapMetrics.Check(map, height, width);
        float max = 0;
        foreach (var v in map) if (v > max) max = v;
        if (!(max > 0)) return null;
        double threshold = fraction * max;
        var seen = new bool[map.Length];
        var stack = new Stack<int>();
        int bestCount = 0;
        Box best = default;
        for (int start = 0; start < map.Length; start++)
        {
            if (seen[start] || !(map[start] >= threshold)) continue;
            seen[start] = true;
            stack.Push(start);
            int count = 0, xmin = width, ymin = height, xmax = -1, ymax = -1;
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                int y = p / width, x = p % width;
                count++;
                xmin = Math.Min(xmin, x); xmax = Math.Max(xmax, x); ymin = Math.Min(ymin, y); ymax = Math.Max(ymax, y);
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int ny = y + dy, nx = x + dx;
                        if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
                        int q = ny * width + nx;
                        if (seen[q] || !(map[q] >= threshold)) continue;
                        seen[q] = true;
                        stack.Push(q);
                    }
            }
            if (count > bestCount) { bestCount = count; best = new Box(xmin, ymin, xmax + 1, ymax + 1); }
        }
        return best;
    }
}
