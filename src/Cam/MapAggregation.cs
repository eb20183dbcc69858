namespace NativeCam.Cam;

/// <summary>
/// pytorch-grad-cam's final map (BaseCAM.compute_cam_per_layer + aggregate_multi_layers), on the host: each layer's
/// ReLU'd map is min–max scaled ((m − min) / (1e-7 + max of the shifted map)) and resized to the input with OpenCV's
/// bilinear rule (cv2.resize, INTER_LINEAR: half-pixel centres, edge clamped), the layers are averaged, and the mean
/// is min–max scaled again. The result is in [0, 1) at input resolution.
/// </summary>
public static class MapAggregation
{
    /// <summary>The final map [height · width] of one target from its per-layer maps (each row-major [h, w], ≥ 0).</summary>
    public static float[] Final(IReadOnlyList<(float[] Map, int Height, int Width)> layers, int height, int width)
    {
        if (layers.Count == 0) throw new ArgumentException("map aggregation: no layers");
        var sum = new double[height * width];
        foreach (var (map, h, w) in layers)
        {
            var resized = Resize(Scale(map), h, w, height, width);
            for (int i = 0; i < sum.Length; i++) sum[i] += Math.Max(resized[i], 0f);
        }
        return Scale(sum.Select(v => (float)(v / layers.Count)).ToArray());
    }

    /// <summary>pytorch-grad-cam's scale_cam_image without resizing: (m − min) / (1e-7 + max(m − min)), in float32.</summary>
    public static float[] Scale(float[] map)
    {
        float min = map.Min();
        var shifted = map.Select(v => v - min).ToArray();
        float max = shifted.Max();
        return shifted.Select(v => v / (1e-7f + max)).ToArray();
    }

    /// <summary>cv2.resize(map, (width, height), INTER_LINEAR) of a float32 map [h, w].</summary>
    public static float[] Resize(float[] map, int h, int w, int height, int width)
    {
        var (y0, y1, fy) = Taps(h, height);
        var (x0, x1, fx) = Taps(w, width);
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float top = map[y0[y] * w + x0[x]] * (1 - fx[x]) + map[y0[y] * w + x1[x]] * fx[x];
                float bottom = map[y1[y] * w + x0[x]] * (1 - fx[x]) + map[y1[y] * w + x1[x]] * fx[x];
                result[y * width + x] = top * (1 - fy[y]) + bottom * fy[y];
            }
        return result;
    }

    // Source taps of OpenCV's linear resize: s = (d + 0.5)·in/out − 0.5, clamped to the edges.
    static (int[] Lo, int[] Hi, float[] Frac) Taps(int inSize, int outSize)
    {
        var lo = new int[outSize];
        var hi = new int[outSize];
        var frac = new float[outSize];
        double scale = (double)inSize / outSize;
        for (int d = 0; d < outSize; d++)
        {
            double s = (d + 0.5) * scale - 0.5;
            int i = (int)Math.Floor(s);
            double f = s - i;
            if (i < 0) { i = 0; f = 0; }
            if (i >= inSize - 1) { i = inSize - 1; f = 0; }
            lo[d] = i;
            hi[d] = Math.Min(i + 1, inSize - 1);
            frac[d] = (float)f;
        }
        return (lo, hi, frac);
    }
}
