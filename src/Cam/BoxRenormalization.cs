namespace NativeCam.Cam;

/// <summary>
/// A map min–max normalised inside each box and zeroed outside (detect-cam's <c>--renormalize</c>), as pytorch-grad-cam's
/// Faster R-CNN tutorial's <c>renormalize_cam_in_bounding_boxes</c>: per box a zero map holding the crop m[y1:y2, x1:x2]
/// scaled by <c>scale_cam_image</c> ((v − min) / (1e-7 + max of the shifted values)), the element-wise maximum over the
/// boxes, then <c>scale_cam_image</c> of that. Boxes are integer pixel slices [x1, x2) × [y1, y2), clamped to the map.
/// <para>The tutorial passes a 2-D crop to <c>scale_cam_image</c>, which treats its first axis as a batch: each
/// <em>row</em> of a crop (and of the final map) is scaled on its own. <see cref="Mode.Rows"/> reproduces that exactly;
/// <see cref="Mode.Box"/> scales each crop (and the final map) as one map, which is what the tutorial's docstring
/// describes ("the CAM in the range [0, 1] inside every bounding box") and detect-cam's default.</para>
/// </summary>
public static class BoxRenormalization
{
    /// <summary>What one scale_cam_image call scales: the whole crop or each of its rows.</summary>
    public enum Mode
    {
        /// <summary>Each crop (and the final map) scaled as a whole.</summary>
        Box,
        /// <summary>Each row of each crop (and of the final map) scaled on its own, as the tutorial's code does.</summary>
        Rows,
    }

    /// <summary>The renormalised map [height, width] (a new array) of <paramref name="map"/> in the integer boxes
    /// (x1, y1, x2, y2); no box gives a zero map.</summary>
    public static float[] Apply(float[] map, int height, int width, IReadOnlyList<(int X1, int Y1, int X2, int Y2)> boxes, Mode mode = Mode.Box)
    {
        if (map.Length != height * width) throw new ArgumentException("renormalize: the map is not height x width");
        var max = new float[map.Length];
        foreach (var (bx1, by1, bx2, by2) in boxes)
        {
            int x1 = Math.Clamp(bx1, 0, width), x2 = Math.Clamp(bx2, 0, width), y1 = Math.Clamp(by1, 0, height), y2 = Math.Clamp(by2, 0, height);
            if (x2 <= x1 || y2 <= y1) continue;
            var crop = Scale(map, width, x1, y1, x2, y2, mode);
            for (int y = y1; y < y2; y++)
                for (int x = x1; x < x2; x++) max[y * width + x] = Math.Max(max[y * width + x], crop[(y - y1) * (x2 - x1) + x - x1]);
        }
        return Scale(max, width, 0, 0, width, height, mode);
    }

    /// <summary>The box (x1, y1, x2, y2) as the tutorial's integer box: each coordinate truncated toward zero
    /// (<c>astype(np.int32)</c>).</summary>
    public static (int, int, int, int) Truncate(float x1, float y1, float x2, float y2) => ((int)x1, (int)y1, (int)x2, (int)y2);

    // scale_cam_image of the crop, whole or row by row: (v − min) / (1e-7 + max), the denominator in double as NumPy's
    // scalar arithmetic gives it, the division in float32.
    static float[] Scale(float[] map, int width, int x1, int y1, int x2, int y2, Mode mode)
    {
        int w = x2 - x1, h = y2 - y1;
        var crop = new float[w * h];
        for (int y = 0; y < h; y++) Array.Copy(map, (y1 + y) * width + x1, crop, y * w, w);
        if (mode == Mode.Box) ScaleInPlace(crop);
        else for (int y = 0; y < h; y++) ScaleInPlace(crop.AsSpan(y * w, w));
        return crop;
    }

    static void ScaleInPlace(Span<float> v)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float x in v) min = Math.Min(min, x);
        for (int i = 0; i < v.Length; i++) max = Math.Max(max, v[i] -= min);
        float d = (float)(1e-7 + max);
        for (int i = 0; i < v.Length; i++) v[i] /= d;
    }
}
