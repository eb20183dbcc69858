using NativeCam.Imaging;

namespace NativeCam.Detectors;

/// <summary>What GeneralizedRCNNTransform made of an image: the normalised, resized, zero-padded [3, PaddedH, PaddedW] pixels and the sizes.</summary>
public sealed record RcnnInput(float[] Pixels, int OriginalH, int OriginalW, int ResizedH, int ResizedW, int PaddedH, int PaddedW)
{
    /// <summary>Maps a box of the resized image back to original-image pixels (transform.postprocess's resize_boxes, float32 ratios).</summary>
    public Box ToOriginal(ReadOnlySpan<float> b)
    {
        float rh = (float)OriginalH / ResizedH, rw = (float)OriginalW / ResizedW;
        return new Box(b[0] * rw, b[1] * rh, b[2] * rw, b[3] * rh);
    }

    /// <summary>
    /// The same geometry as a <see cref="LetterboxInfo"/> for the renderers: the image resized into the top-left
    /// ResizedH×ResizedW of the PaddedH×PaddedW input, padding right and bottom only (Ratio is the height's).
    /// </summary>
    public LetterboxInfo ToLetterbox() => new((double)ResizedH / OriginalH, 0, 0, 0, 0, PaddedW - ResizedW, PaddedH - ResizedH,
        ResizedH, ResizedW, PaddedH, PaddedW, OriginalH, OriginalW);
}

/// <summary>
/// torchvision's GeneralizedRCNNTransform at inference: pixels / 255, normalised by mean and std, resized by
/// scale = min(min_size / shorter side, max_size / longer side) (float32) to floor(side · scale) with
/// F.interpolate(mode="bilinear", align_corners=False, recompute_scale_factor=True) — source pixel (dst + ½)·in/out − ½,
/// clamped at 0 — and padded with zeros to a multiple of 32 (batch_images).
/// </summary>
public static class RcnnTransform
{
    /// <summary>batch_images' size_divisible.</summary>
    public const int SizeDivisible = 32;

    /// <summary>The transformed image.</summary>
    public static RcnnInput Apply(RgbImage image, RcnnOptions options)
    {
        int h = image.Height, w = image.Width;
        float scale = MathF.Min(options.MinSize / (float)Math.Min(h, w), options.MaxSize / (float)Math.Max(h, w));
        int oh = (int)Math.Floor(h * (double)scale), ow = (int)Math.Floor(w * (double)scale);
        if (oh < 1 || ow < 1) throw new ArgumentException($"image {w}x{h} resizes to nothing at scale {scale}");
        int ph = (oh + SizeDivisible - 1) / SizeDivisible * SizeDivisible, pw = (ow + SizeDivisible - 1) / SizeDivisible * SizeDivisible;
        var normalised = new float[h * w];
        var output = new float[3 * ph * pw];
        var (ys, yl) = Taps(h, oh);
        var (xs, xl) = Taps(w, ow);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < h * w; i++) normalised[i] = (image.Pixels[i * 3 + c] / 255f - options.Mean[c]) / options.Std[c];
            for (int y = 0; y < oh; y++)
            {
                int y0 = ys[y], y1 = Math.Min(y0 + 1, h - 1);
                float ly = yl[y], hy = 1f - ly;
                for (int x = 0; x < ow; x++)
                {
                    int x0 = xs[x], x1 = Math.Min(x0 + 1, w - 1);
                    float lx = xl[x], hx = 1f - lx;
                    output[(c * ph + y) * pw + x] =
                        hy * (hx * normalised[y0 * w + x0] + lx * normalised[y0 * w + x1]) +
                        ly * (hx * normalised[y1 * w + x0] + lx * normalised[y1 * w + x1]);
                }
            }
        }
        return new RcnnInput(output, h, w, oh, ow, ph, pw);
    }

    // PyTorch's linear source index with align_corners=False: scale in/out, src = max(scale·(dst + ½) − ½, 0).
    static (int[] Index, float[] Lambda) Taps(int input, int output)
    {
        float scale = (float)input / output;
        var index = new int[output];
        var lambda = new float[output];
        for (int d = 0; d < output; d++)
        {
            float src = MathF.Max(scale * (d + 0.5f) - 0.5f, 0f);
            index[d] = Math.Min((int)src, input - 1);
            lambda[d] = src - index[d];
        }
        return (index, lambda);
    }
}
