using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cam.Render;

/// <summary>The device guided-backprop picture against a plain float64 host rendering of the same rule, on both
/// implementations (the host code of the `cpu` device and the ILGPU kernels).</summary>
public abstract class GuidedRendererTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : GuidedRendererTests(TestDevice.Simd);
    public sealed class Ilgpu() : GuidedRendererTests(TestDevice.Ilgpu);

    // A 50x40 image letterboxed into 64x64: resized to 64x51, padding 6 left and 7 right.
    static readonly LetterboxInfo Info = new(1.28, 6.5, 0, 6, 0, 7, 0, 64, 51, 64, 64, 50, 40);

    /// <summary>The rule the renderer documents, written as directly as possible in float64.</summary>
    static byte[] Reference(float[] g, int k, LetterboxInfo l)
    {
        int plane = l.InputHeight * l.InputWidth, offset = k * 3 * plane;
        double sum = 0, sq = 0;
        int n = 3 * l.ResizedHeight * l.ResizedWidth;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < l.ResizedHeight; y++)
                for (int x = 0; x < l.ResizedWidth; x++)
                {
                    double v = g[offset + c * plane + (l.PadTop + y) * l.InputWidth + l.PadLeft + x];
                    sum += v;
                    sq += v * v;
                }
        double mean = sum / n, std = Math.Sqrt(Math.Max(sq / n - mean * mean, 0)) + 1e-5;
        var pixels = new byte[l.ImageHeight * l.ImageWidth * 3];
        for (int y = 0; y < l.ImageHeight; y++)
            for (int x = 0; x < l.ImageWidth; x++)
            {
                int sy = Math.Min(l.ResizedHeight - 1, (int)(y * (double)l.ResizedHeight / l.ImageHeight));
                int sx = Math.Min(l.ResizedWidth - 1, (int)(x * (double)l.ResizedWidth / l.ImageWidth));
                for (int c = 0; c < 3; c++)
                {
                    double z = (g[offset + c * plane + (l.PadTop + sy) * l.InputWidth + l.PadLeft + sx] - mean) / std;
                    pixels[(y * l.ImageWidth + x) * 3 + c] = (byte)Math.Floor(Math.Clamp(0.5 + 0.1 * z, 0, 1) * 255 + 0.5);
                }
            }
        return pixels;
    }

    [Fact]
    public void PicturesMatchTheFloat64RuleAndStatsGiveTheRawRange()
    {
        var rng = new Rng(7);
        const int k = 3;
        var g = rng.Uniform(k * 3 * 64 * 64, -1e-3, 2e-3).Select(v => (float)v).ToArray();
        using var t = Tensor.FromArray(TestDevice.CurrentOrDefault, g, k, 3, 64, 64);

        var r = GuidedRenderer.Render(t, Info);

        Assert.Equal(k, r.Pictures.Count);
        for (int i = 0; i < k; i++)
        {
            Assert.Equal((50, 40), (r.Pictures[i].Height, r.Pictures[i].Width));
            // Summation order differs (blocks vs one loop), so a value on a rounding edge may move by one level.
            var (max, differing) = RenderFixture.Compare(r.Pictures[i].Pixels, Reference(g, i, Info));
            Assert.True(max <= 1 && differing <= 3, $"picture {i}: {differing} bytes differ, by up to {max}");
            var slice = g.AsSpan(i * 3 * 64 * 64, 3 * 64 * 64).ToArray();
            Assert.Equal(slice.Min(), r.Stats[i].Min);
            Assert.Equal(slice.Max(), r.Stats[i].Max);
            Assert.False(r.Stats[i].Empty);
        }
    }

    [Fact]
    public void AZeroGradientIsMidGreyAndReportedEmpty()
    {
        using var t = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 3, 64, 64);
        var r = GuidedRenderer.Render(t, Info);
        Assert.All(r.Pictures[0].Pixels, b => Assert.Equal(128, b));
        Assert.True(r.Stats[0].Empty);
    }

    [Fact]
    public void AGradientOfTheWrongSizeIsRefused()
    {
        using var t = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 3, 32, 64);
        var e = Assert.Throws<ArgumentException>(() => GuidedRenderer.Render(t, Info));
        Assert.Contains("[K, 3, 64, 64]", e.Message);
    }
}
