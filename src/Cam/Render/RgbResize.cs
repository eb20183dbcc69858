using System.Runtime.CompilerServices;
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
        var xs = Flat(Taps(image.Width, width));
        var ys = Flat(Taps(image.Height, height));
        var rows = new float[image.Height * width * 3];
        var pixels = new byte[height * width * 3];
        Parallel.For(0, image.Height, y => AlongX(image.Pixels, y * image.Width * 3, rows, y * width * 3, xs));
        Parallel.For(0, height, y => AlongY(rows, width * 3, pixels, y, ys));
        return new RgbImage(height, width, pixels);
    }

    /// <summary>Taps as flat arrays: first source pixel, tap count, and weights at a stride of the largest count.</summary>
    sealed record FlatTaps(int[] First, int[] Count, float[] Weights, int Stride);

    static FlatTaps Flat((int First, float[] Weights)[] taps)
    {
        int stride = taps.Max(t => t.Weights.Length);
        var weights = new float[taps.Length * stride];
        for (int o = 0; o < taps.Length; o++) taps[o].Weights.CopyTo(weights, o * stride);
        return new FlatTaps(taps.Select(t => t.First).ToArray(), taps.Select(t => t.Weights.Length).ToArray(), weights, stride);
    }

    // One source row (bytes from `src`) to `taps.First.Length` pixels (floats from `dst`).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AlongX(byte[] pixels, int src, float[] rows, int dst, FlatTaps taps)
    {
        int[] first = taps.First, count = taps.Count;
        float[] weights = taps.Weights;
        for (int x = 0; x < first.Length; x++)
        {
            float r = 0, g = 0, b = 0;
            int p = src + first[x] * 3, w = x * taps.Stride;
            for (int i = 0; i < count[x]; i++, p += 3)
            {
                float k = weights[w + i];
                r += k * pixels[p];
                g += k * pixels[p + 1];
                b += k * pixels[p + 2];
            }
            rows[dst + 3 * x] = r;
            rows[dst + 3 * x + 1] = g;
            rows[dst + 3 * x + 2] = b;
        }
    }

    // Output row `y` from the x-resized rows (`line` floats each), rounded to bytes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AlongY(float[] rows, int line, byte[] pixels, int y, FlatTaps taps)
    {
        var sum = new float[line];
        int w = y * taps.Stride;
        for (int i = 0; i < taps.Count[y]; i++)
        {
            float k = taps.Weights[w + i];
            int src = (taps.First[y] + i) * line;
            for (int c = 0; c < line; c++) sum[c] += k * rows[src + c];
        }
        int dst = y * line;
        for (int c = 0; c < line; c++) pixels[dst + c] = (byte)Math.Clamp(MathF.Round(sum[c]), 0, 255);
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
