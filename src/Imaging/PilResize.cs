namespace NativeCam.Imaging;

/// <summary>
/// PIL's resample of an 8-bit RGB image (<c>Image.resize(size, BILINEAR | BICUBIC)</c>, what torchvision's Resize does
/// to a PIL image), bit for bit: the filter widened by the downscale factor (antialiasing), a horizontal pass then a
/// vertical one, each rounded to uint8. As PIL, the weights are computed in double and normalised, then turned into
/// 22-bit fixed point, and each output is (Σ pixel · weight + ½) shifted back and clamped to 0..255.
/// </summary>
public static class PilResize
{
    // PIL's PRECISION_BITS for 8-bit images: 32 − 8 − 2.
    const int PrecisionBits = 22;

    /// <summary>The image resized to <paramref name="height"/> × <paramref name="width"/> with PIL's bilinear filter.</summary>
    public static RgbImage Bilinear(RgbImage image, int height, int width) => Resize(image, height, width, Interpolation.Bilinear);

    /// <summary>The image resized to <paramref name="height"/> × <paramref name="width"/> with PIL's bicubic filter.</summary>
    public static RgbImage Bicubic(RgbImage image, int height, int width) => Resize(image, height, width, Interpolation.Bicubic);

    /// <summary>The image resized to <paramref name="height"/> × <paramref name="width"/> with <paramref name="filter"/>.</summary>
    public static RgbImage Resize(RgbImage image, int height, int width, Interpolation filter)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"resize: {height}x{width} is not a size");
        var horizontal = Pass(image.Pixels, image.Height, image.Width, width, horizontalPass: true, filter);
        var both = Pass(horizontal, image.Height, width, height, horizontalPass: false, filter);
        return new RgbImage(height, width, both);
    }

    // One separable pass: rows (horizontal) or columns (vertical) of an interleaved RGB byte image.
    static byte[] Pass(byte[] src, int h, int w, int outSize, bool horizontalPass, Interpolation filter)
    {
        int inSize = horizontalPass ? w : h;
        var (starts, counts, weights, taps) = Coefficients(inSize, outSize, filter);
        int oh = horizontalPass ? h : outSize, ow = horizontalPass ? outSize : w;
        var dst = new byte[oh * ow * 3];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                int o = horizontalPass ? x : y;
                for (int c = 0; c < 3; c++)
                {
                    long sum = 1L << (PrecisionBits - 1);
                    for (int t = 0; t < counts[o]; t++)
                    {
                        int s = starts[o] + t;
                        sum += weights[o * taps + t] * (horizontalPass ? src[(y * w + s) * 3 + c] : src[(s * w + x) * 3 + c]);
                    }
                    dst[(y * ow + x) * 3 + c] = (byte)Math.Clamp(sum >> PrecisionBits, 0, 255); // >> floors, as PIL's int shift
                }
            }
        return dst;
    }

    // PIL's precompute_coeffs then normalize_coeffs_8bpc: per output pixel, the first input pixel, how many it reads, and
    // its weights in fixed point.
    static (int[] Starts, int[] Counts, long[] Weights, int Taps) Coefficients(int inSize, int outSize, Interpolation filter)
    {
        double filterSupport = filter == Interpolation.Bicubic ? 2.0 : 1.0;
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0), support = filterSupport * filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new long[outSize * taps];
        var k = new double[taps];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale, ss = 1.0 / filterScale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int count = Math.Min((int)(center + support + 0.5), inSize) - min;
            double total = 0;
            for (int t = 0; t < count; t++)
            {
                double x = (t + min - center + 0.5) * ss;
                k[t] = filter == Interpolation.Bicubic ? CubicWeight(x) : TriangleWeight(x);
                total += k[t];
            }
            for (int t = 0; t < count; t++)
            {
                double normalised = total != 0 ? k[t] / total : k[t];
                double scaled = normalised * (1 << PrecisionBits);
                weights[o * taps + t] = (long)(normalised < 0 ? scaled - 0.5 : scaled + 0.5); // truncation toward zero, as C's (int)
            }
            starts[o] = min;
            counts[o] = count;
        }
        return (starts, counts, weights, taps);
    }

    static double TriangleWeight(double x)
    {
        x = Math.Abs(x);
        return x < 1 ? 1 - x : 0;
    }

    // Keys' cubic convolution with a = −0.5, PIL's bicubic_filter.
    static double CubicWeight(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
