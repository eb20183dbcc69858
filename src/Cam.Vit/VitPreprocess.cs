using NativeCam.Imaging;

namespace NativeCam.Cam.Vit;

/// <summary>
/// torchvision's ImageNet classification transform for ViTs (<c>ViT_B_16_Weights.IMAGENET1K_V1.transforms()</c>),
/// on the host (docs/vit.md): resize the shorter side to S·256/224 (bilinear with PIL's antialiasing, uint8 result),
/// centre crop S×S (S = the model's image size), scale to [0, 1], normalise with the ImageNet mean and std.
/// </summary>
public static class VitPreprocess
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>The resize size for crop size S: 256 for 224 (integer division, S·256/224).</summary>
    public static int ResizeSize(int crop) => crop * 256 / 224;

    /// <summary>The centre crop of the resized image (what the heat map is drawn on) and the network input
    /// [1, 3, S, S] as a flat NCHW array.</summary>
    public static (RgbImage Crop, float[] Input) Apply(RgbImage image, int crop)
    {
        if (crop <= 0) throw new ArgumentException($"ViT preprocess: crop size {crop} is not positive");
        int shortSide = ResizeSize(crop);
        // torchvision: the short side becomes `size`, the long side int(size · long / short).
        bool wide = image.Width >= image.Height;
        int shortIn = wide ? image.Height : image.Width, longIn = wide ? image.Width : image.Height;
        int longOut = (int)((double)shortSide * longIn / shortIn);
        int h = wide ? shortSide : longOut, w = wide ? longOut : shortSide;
        if (h < crop || w < crop) throw new ArgumentException($"ViT preprocess: resized {h}x{w} is smaller than the {crop}x{crop} crop");
        var resized = Resize(image, h, w);
        // torchvision's center_crop: top = int(round((h - S) / 2)), Python's round (half to even).
        int top = (int)Math.Round((h - crop) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((w - crop) / 2.0, MidpointRounding.ToEven);
        var pixels = new byte[crop * crop * 3];
        for (int y = 0; y < crop; y++)
            Array.Copy(resized.Pixels, ((top + y) * w + left) * 3, pixels, y * crop * 3, crop * 3);
        var cropped = new RgbImage(crop, crop, pixels);
        var input = new float[3 * crop * crop];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < crop * crop; i++)
                input[c * crop * crop + i] = (pixels[i * 3 + c] / 255f - Mean[c]) / Std[c];
        return (cropped, input);
    }

    /// <summary>PIL's bilinear resample of an RGB image (Image.resize(..., BILINEAR)): a triangle filter widened by the
    /// downscale factor (antialiasing), horizontal pass then vertical, each rounded to uint8.</summary>
    public static RgbImage Resize(RgbImage image, int height, int width)
    {
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
