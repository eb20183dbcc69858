using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>
/// Turns a guided-backprop style input gradient [3, H, W] (network input size) into a picture of the original
/// image's size: crop the letterbox padding, standardise (x − mean) / std, map to 0.5 ± 0.1·z clipped to [0, 1]
/// (the usual way such gradients are shown), then nearest-neighbour resize.
/// </summary>
public static class GuidedImage
{
    public static RgbImage Render(ReadOnlySpan<float> gradient, LetterboxInfo info)
    {
        int h = info.InputHeight, w = info.InputWidth, plane = h * w;
        int top = info.PadTop, left = info.PadLeft, rh = info.ResizedHeight, rw = info.ResizedWidth;
        double sum = 0, sq = 0;
        int n = 3 * rh * rw;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < rh; y++)
                for (int x = 0; x < rw; x++)
                {
                    double v = gradient[c * plane + (top + y) * w + left + x];
                    sum += v;
                    sq += v * v;
                }
        double mean = sum / n, std = Math.Sqrt(Math.Max(sq / n - mean * mean, 0)) + 1e-5;
        var pixels = new byte[info.ImageHeight * info.ImageWidth * 3];
        for (int y = 0; y < info.ImageHeight; y++)
        {
            int sy = Math.Min(rh - 1, (int)(y * (double)rh / info.ImageHeight));
            for (int x = 0; x < info.ImageWidth; x++)
            {
                int sx = Math.Min(rw - 1, (int)(x * (double)rw / info.ImageWidth));
                for (int c = 0; c < 3; c++)
                {
                    double z = (gradient[c * plane + (top + sy) * w + left + sx] - mean) / std;
                    pixels[(y * info.ImageWidth + x) * 3 + c] = (byte)Math.Round(Math.Clamp(0.5 + 0.1 * z, 0, 1) * 255);
                }
            }
        }
        return new RgbImage(info.ImageHeight, info.ImageWidth, pixels);
    }
}
