using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam.Render;

/// <summary>K guided-backprop pictures at the original image size, and the raw range of each gradient.</summary>
public sealed record GuidedRender(IReadOnlyList<RgbImage> Pictures, IReadOnlyList<MapStats> Stats);

/// <summary>
/// Input-space gradients [K, 3, H, W] (guided backprop, Guided Grad-CAM) to K pictures of the original image's
/// size, on the device: per picture, the mean and standard deviation over the visible image (letterbox padding
/// cropped, all three channels), then each output pixel takes its nearest source pixel and shows it as
/// 0.5 + 0.1·(g − mean)/std clipped to [0, 1] — the usual way such gradients are displayed (mid grey = no
/// gradient, ±5 standard deviations = black/white). Statistics are float64 so large maps sum exactly enough.
/// </summary>
public static class GuidedRenderer
{
    /// <summary>Window elements one partial-statistics work item sums.</summary>
    const int Block = 4096;

    /// <summary>Where the visible image lies in the input, the output size and the statistics blocking.</summary>
    internal readonly struct GuidedShape(LetterboxInfo l, int blocks)
    {
        public readonly int InH = l.InputHeight, InW = l.InputWidth, Top = l.PadTop, Left = l.PadLeft;
        public readonly int WinH = l.ResizedHeight, WinW = l.ResizedWidth, OutH = l.ImageHeight, OutW = l.ImageWidth;
        public readonly int Blocks = blocks;
    }

    sealed class Loaded(Accelerator a)
    {
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<double>, GuidedShape> Partial =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<double>, GuidedShape>(PartialKernel);
        public readonly Action<Index1D, Work, ArrayView<double>, ArrayView<double>, GuidedShape> Finish =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<double>, ArrayView<double>, GuidedShape>(FinishKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<double>, ArrayView<byte>, GuidedShape> Picture =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<double>, ArrayView<byte>, GuidedShape>(PictureKernel);
    }

    static readonly ConditionalWeakTable<Accelerator, Loaded> _cache = new();

    // One work item per (picture k, block b): Σg and Σg² over window elements [b·Block, (b+1)·Block) of the
    // 3·WinH·WinW visible elements, written to partial[(k·Blocks + b)·2 + {0, 1}].
    static void PartialKernel(Index1D t, Work w, ArrayView<float> g, ArrayView<double> partial, GuidedShape s)
    {
        int winPlane = s.WinH * s.WinW, count = 3 * winPlane, inPlane = s.InH * s.InW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / s.Blocks, b = i - k * s.Blocks;
                int end = (b + 1) * Block < count ? (b + 1) * Block : count;
                double sum = 0, sq = 0;
                for (int e = b * Block; e < end; e++)
                {
                    int ch = e / winPlane, p = e - ch * winPlane, y = p / s.WinW, x = p - y * s.WinW;
                    double v = g[(k * 3 + ch) * inPlane + (s.Top + y) * s.InW + s.Left + x];
                    sum += v;
                    sq += v * v;
                }
                partial[2 * i] = sum;
                partial[2 * i + 1] = sq;
            }
    }

    // One work item per picture: stats[k] = (mean, std + 1e-5) from its blocks' partial sums.
    static void FinishKernel(Index1D t, Work w, ArrayView<double> partial, ArrayView<double> stats, GuidedShape s)
    {
        double n = 3.0 * s.WinH * s.WinW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int k = c; k < w.End(c); k++)
            {
                double sum = 0, sq = 0;
                for (int b = 0; b < s.Blocks; b++)
                {
                    sum += partial[2 * (k * s.Blocks + b)];
                    sq += partial[2 * (k * s.Blocks + b) + 1];
                }
                double mean = sum / n, variance = sq / n - mean * mean;
                stats[2 * k] = mean;
                stats[2 * k + 1] = Math.Sqrt(variance > 0 ? variance : 0) + 1e-5;
            }
    }

    // One work item per output pixel of [K, OutH, OutW]: nearest source pixel sy = ⌊y·WinH/OutH⌋ (likewise x)
    // inside the window, three channels standardised and mapped to bytes (round half up).
    static void PictureKernel(Index1D t, Work w, ArrayView<float> g, ArrayView<double> stats, ArrayView<byte> dst, GuidedShape s)
    {
        int outPlane = s.OutH * s.OutW, inPlane = s.InH * s.InW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / outPlane, p = i - k * outPlane, y = p / s.OutW, x = p - y * s.OutW;
                int sy = (int)(y * (double)s.WinH / s.OutH), sx = (int)(x * (double)s.WinW / s.OutW);
                if (sy > s.WinH - 1) sy = s.WinH - 1;
                if (sx > s.WinW - 1) sx = s.WinW - 1;
                double mean = stats[2 * k], std = stats[2 * k + 1];
                for (int ch = 0; ch < 3; ch++)
                {
                    double z = (g[(k * 3 + ch) * inPlane + (s.Top + sy) * s.InW + s.Left + sx] - mean) / std;
                    double v = 0.5 + 0.1 * z;
                    v = v < 0 ? 0 : v > 1 ? 1 : v;
                    dst[3 * i + ch] = (byte)(int)(v * 255 + 0.5);
                }
            }
    }

    /// <summary>Renders each gradient of <paramref name="gradients"/> [K, 3, H, W] (the network input's size,
    /// which <paramref name="letterbox"/> describes) as a picture of the original image's size.</summary>
    public static GuidedRender Render(Tensor gradients, LetterboxInfo letterbox)
    {
        if (gradients.Rank != 4 || gradients.Shape[0] < 1 || gradients.Shape[1] != 3
            || gradients.Shape[2] != letterbox.InputHeight || gradients.Shape[3] != letterbox.InputWidth)
            throw new ArgumentException($"guided render: gradients {gradients} are not [K, 3, {letterbox.InputHeight}, {letterbox.InputWidth}]");
        var window = HeatmapRenderer.ImageWindow(letterbox);
        if (!window.FitsIn(letterbox.InputHeight, letterbox.InputWidth))
            throw new ArgumentException($"guided render: image window {window} is outside the {letterbox.InputHeight}x{letterbox.InputWidth} input");

        var device = gradients.Device;
        var acc = device.Accelerator;
        var loaded = _cache.GetValue(acc, a => new Loaded(a));
        int k = gradients.Shape[0];
        int blocks = (3 * window.Height * window.Width + Block - 1) / Block;
        var shape = new GuidedShape(letterbox, blocks);
        using var partial = acc.Allocate1D<double>(2L * k * blocks);
        using var stats = acc.Allocate1D<double>(2L * k);
        using var pictures = DeviceRgb.Allocate(device, k, letterbox.ImageHeight, letterbox.ImageWidth);

        var (threads, work) = Launch.Plan(device, k * blocks);
        loaded.Partial(threads, work, gradients.View, partial.View, shape);
        (threads, work) = Launch.Plan(device, k);
        loaded.Finish(threads, work, partial.View, stats.View, shape);
        (threads, work) = Launch.Plan(device, k * letterbox.ImageHeight * letterbox.ImageWidth);
        loaded.Picture(threads, work, gradients.View, stats.View, pictures.View, shape);

        // The raw range of each gradient (whole input, padding included) for the report.
        using var range = Tensor.Empty(device, k, 3);
        using (var planes = gradients.Reshape(k, 3 * letterbox.InputHeight, letterbox.InputWidth))
            HeatmapKernels.MinMax(planes, range);
        return new GuidedRender(pictures.ToImages(), HeatmapRenderer.ReadStats(range));
    }
}
