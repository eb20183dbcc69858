using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Imaging;
using NativeCam.Tensors;
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
/// ILGPU kernels on a GPU and ILGPU's CPU accelerator; on the `cpu` device the same arithmetic in host code
/// (<see cref="RenderOnHost"/>), bit-identical.
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
                stats[2 * k] = Mean(sum, n);
                stats[2 * k + 1] = Deviation(sum, sq, n);
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
                int sy = Nearest(y, s.WinH, s.OutH), sx = Nearest(x, s.WinW, s.OutW);
                double mean = stats[2 * k], std = stats[2 * k + 1];
                for (int ch = 0; ch < 3; ch++)
                    dst[3 * i + ch] = Shade(g[(k * 3 + ch) * inPlane + (s.Top + sy) * s.InW + s.Left + sx], mean, std);
            }
    }

    // The arithmetic of the kernels above, shared with the host version below.
    static double Mean(double sum, double n) => sum / n;

    static double Deviation(double sum, double sq, double n)
    {
        double mean = sum / n, variance = sq / n - mean * mean;
        return Math.Sqrt(variance > 0 ? variance : 0) + 1e-5;
    }

    /// <summary>The nearest source index ⌊o·window/output⌋ (float64), clamped to the window.</summary>
    static int Nearest(int o, int window, int output)
    {
        int i = (int)(o * (double)window / output);
        return i > window - 1 ? window - 1 : i;
    }

    /// <summary>0.5 + 0.1·(g − mean)/std clipped to [0, 1], as a byte rounded half up.</summary>
    static byte Shade(float g, double mean, double std)
    {
        double z = (g - mean) / std;
        double v = 0.5 + 0.1 * z;
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        return (byte)(int)(v * 255 + 0.5);
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
        int k = gradients.Shape[0];
        int blocks = (3 * window.Height * window.Width + Block - 1) / Block;
        var shape = new GuidedShape(letterbox, blocks);
        using var pictures = DeviceRgb.Allocate(device, k, letterbox.ImageHeight, letterbox.ImageWidth);
        if (device.Kind == DeviceKind.Cpu) RenderOnHost(gradients, pictures, k, shape);
        else
        {
            var acc = device.Accelerator;
            var loaded = _cache.GetValue(acc, a => new Loaded(a));
            using var partial = acc.Allocate1D<double>(2L * k * blocks);
            using var stats = acc.Allocate1D<double>(2L * k);
            var (threads, work) = Launch.Plan(device, k * blocks);
            loaded.Partial(threads, work, gradients.View, partial.View, shape);
            (threads, work) = Launch.Plan(device, k);
            loaded.Finish(threads, work, partial.View, stats.View, shape);
            (threads, work) = Launch.Plan(device, k * letterbox.ImageHeight * letterbox.ImageWidth);
            loaded.Picture(threads, work, gradients.View, stats.View, pictures.View, shape);
        }

        // The raw range of each gradient (whole input, padding included) for the report.
        using var range = Tensor.Empty(device, k, 3);
        using (var planes = gradients.Reshape(k, 3 * letterbox.InputHeight, letterbox.InputWidth))
            HeatmapKernels.MinMax(planes, range);
        return new GuidedRender(pictures.ToImages(), HeatmapRenderer.ReadStats(range));
    }

    // ---- The same on the `cpu` device's host memory (ILGPU's simulator would run the kernels ~100x slower) --------

    /// <summary>The kernels' work split over the cores: the partial sums per (picture, block) with the kernel's blocks
    /// and order, folded per picture in block order, then the pixels by output rows. Bit-identical to the kernels.</summary>
    static unsafe void RenderOnHost(Tensor gradients, DeviceRgb pictures, int k, GuidedShape s)
    {
        var partial = new double[2 * k * s.Blocks];
        var stats = new double[2 * k];
        nint g = (nint)gradients.Pointer, dst = (nint)pictures.Pointer;
        CpuParallel.For(k * s.Blocks, 1, (start, end) =>
        {
            for (int i = start; i < end; i++) (partial[2 * i], partial[2 * i + 1]) = BlockSums((float*)g, i / s.Blocks, i % s.Blocks, s);
        });
        double n = 3.0 * s.WinH * s.WinW;
        for (int p = 0; p < k; p++)
        {
            double sum = 0, sq = 0;
            for (int b = 0; b < s.Blocks; b++)
            {
                sum += partial[2 * (p * s.Blocks + b)];
                sq += partial[2 * (p * s.Blocks + b) + 1];
            }
            stats[2 * p] = Mean(sum, n);
            stats[2 * p + 1] = Deviation(sum, sq, n);
        }
        CpuParallel.For(k * s.OutH, Math.Max(1, 4096 / s.OutW), (start, end) =>
        {
            for (int r = start; r < end; r++)
                PictureRow((float*)g, (byte*)dst + 3L * r * s.OutW, r / s.OutH, r % s.OutH, stats[2 * (r / s.OutH)], stats[2 * (r / s.OutH) + 1], s);
        });
    }

    /// <summary>Σg and Σg² over block b of picture k's visible elements, in the kernel's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe (double Sum, double Squares) BlockSums(float* g, int k, int b, GuidedShape s)
    {
        int winPlane = s.WinH * s.WinW, count = 3 * winPlane, inPlane = s.InH * s.InW;
        int e = b * Block, end = Math.Min(e + Block, count);
        double sum = 0, sq = 0;
        while (e < end) // a run of one window row at a time
        {
            int ch = e / winPlane, p = e - ch * winPlane, y = p / s.WinW, x = p - y * s.WinW;
            int run = Math.Min(s.WinW - x, end - e);
            float* row = g + (long)(k * 3 + ch) * inPlane + (long)(s.Top + y) * s.InW + s.Left + x;
            for (int j = 0; j < run; j++)
            {
                double v = row[j];
                sum += v;
                sq += v * v;
            }
            e += run;
        }
        return (sum, sq);
    }

    /// <summary>Output row y of picture k: each pixel's nearest source pixel, three channels shaded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void PictureRow(float* g, byte* dst, int k, int y, double mean, double std, GuidedShape s)
    {
        int inPlane = s.InH * s.InW;
        float* row = g + (long)k * 3 * inPlane + (long)(s.Top + Nearest(y, s.WinH, s.OutH)) * s.InW + s.Left;
        for (int x = 0; x < s.OutW; x++, dst += 3)
        {
            int sx = Nearest(x, s.WinW, s.OutW);
            dst[0] = Shade(row[sx], mean, std);
            dst[1] = Shade(row[inPlane + sx], mean, std);
            dst[2] = Shade(row[2 * inPlane + sx], mean, std);
        }
    }
}
