using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>
/// Host images to another size for contact sheets, by area averaging: each output pixel is the mean of the source
/// area it covers, partly covered pixels weighted by their share. Shrinking thus keeps every source pixel (thin box
/// outlines and heat spots do not alias away); enlarging mixes only at pixel borders. Separable: rows, then columns.
/// </summary>
public static class RgbResize
{
    /// <summary><paramref name="image"/> at <paramref name="width"/> × <paramref name="height"/> (the same object when
    /// that is its size).</summary>
    public static RgbImage To(RgbImage image, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"resize: {width}x{height} is not a picture size");
        if (width == image.Width && height == image.Height) return image;
        var xs = Taps(image.Width, width);
        var ys = Taps(image.Height, height);
        // Along x: every source row to `width` pixels.
        var rows = new float[image.Height * width * 3];
        Parallel.For(0, image.Height, y =>
        {
            int src = y * image.Width * 3, dst = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                var (first, weights) = xs[x];
                float r = 0, g = 0, b = 0;
                for (int i = 0; i < weights.Length; i++)
                {
                    int p = src + (first + i) * 3;
                    r += weights[i] * image.Pixels[p];
                    g += weights[i] * image.Pixels[p + 1];
                    b += weights[i] * image.Pixels[p + 2];
                }
                rows[dst + 3 * x] = r;
                rows[dst + 3 * x + 1] = g;
                rows[dst + 3 * x + 2] = b;
            }
        });
        // Along y: the resized rows to `height` rows.
        var pixels = new byte[height * width * 3];
        Parallel.For(0, height, y =>
        {
            var (first, weights) = ys[y];
            int dst = y * width * 3;
            for (int c = 0; c < width * 3; c++)
            {
                float v = 0;
                for (int i = 0; i < weights.Length; i++) v += weights[i] * rows[(first + i) * width * 3 + c];
                pixels[dst + c] = (byte)Math.Clamp(MathF.Round(v), 0, 255);
            }
        });
        return new RgbImage(height, width, pixels);
    }

    /// <summary>For each of <paramref name="size"/> output pixels along an axis of <paramref name="source"/> pixels: the
    /// first source pixel it covers and the weights of the pixels it covers (their shares of its area, summing to 1).</summary>
    public static (int First, float[] Weights)[] Taps(int source, int size)
    {
        var taps = new (int, float[])[size];
        double step = (double)source / size;
        for (int o = 0; o < size; o++)
        {
            double start = o * step, end = (o + 1) * step;
            int first = (int)Math.Floor(start), last = Math.Min(source - 1, (int)Math.Ceiling(end) - 1);
            var weights = new float[last - first + 1];
            for (int i = first; i <= last; i++) weights[i - first] = (float)((Math.Min(end, i + 1) - Math.Max(start, i)) / step);
            taps[o] = (first, weights);
        }
        return taps;
    }
}
