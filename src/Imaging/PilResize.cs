namespace NativeCam.Imaging;

/// <summary>
/// PIL's bilinear resample of an RGB image (<c>Image.resize(size, BILINEAR)</c>, what torchvision's Resize does to a
/// PIL image): a triangle filter widened by the downscale factor (antialiasing), horizontal pass then vertical, each
/// rounded to uint8. PIL computes in fixed point; this computes in double, which can differ by one grey level on a
/// rounding tie (measured in docs/classifiers.md).
/// </summary>
public static class PilResize
{
    /// <summary>The image resized to <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static RgbImage Bilinear(RgbImage image, int height, int width)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"resize: {height}x{width} is not a size");
        var horizontal = Pass(image.Pixels, image.Height, image.Width, width, horizontalPass: true);
        var both = Pass(horizontal, image.Height, width, height, horizontalPass: false);
        return new RgbImage(height, width, both);
    }

    // One separable pass: rows (horizontal) or columns (vertical) of an interleaved RGB byte image.
    static byte[] Pass(byte[] src, int h, int w, int outSize, bool horizontalPass)
    {
        int inSize = horizontalPass ? w : h;
        var (starts, weights, taps) = Coefficients(inSize, outSize);
        int oh = horizontalPass ? h : outSize, ow = horizontalPass ? outSize : w;
        var dst = new byte[oh * ow * 3];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                int o = horizontalPass ? x : y;
                for (int c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (int t = 0; t < taps; t++)
                    {
                        double k = weights[o * taps + t];
                        if (k == 0) continue;
                        int s = starts[o] + t;
                        sum += k * (horizontalPass ? src[(y * w + s) * 3 + c] : src[(s * w + x) * 3 + c]);
                    }
                    dst[(y * ow + x) * 3 + c] = (byte)Math.Clamp((int)Math.Floor(sum + 0.5), 0, 255);
                }
            }
        return dst;
    }

    // PIL's precompute_coeffs for the bilinear (triangle, support 1) filter.
    static (int[] Starts, double[] Weights, int Taps) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0), support = filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var weights = new double[outSize * taps];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize) - min;
            double total = 0;
            for (int t = 0; t < max && t < taps; t++)
            {
                double v = Math.Abs((t + min - center + 0.5) / filterScale);
                double k = v < 1 ? 1 - v : 0;
                weights[o * taps + t] = k;
                total += k;
            }
            if (total > 0) for (int t = 0; t < taps; t++) weights[o * taps + t] /= total;
            starts[o] = min;
        }
        return (starts, weights, taps);
    }
}
