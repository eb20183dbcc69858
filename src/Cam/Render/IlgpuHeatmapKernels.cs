using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;
using static NativeCam.Cam.Render.HeatmapKernels;

namespace NativeCam.Cam.Render;

/// <summary>
/// The ILGPU implementation of <see cref="IHeatmapKernels"/> (GPUs and ILGPU's CPU accelerator), one per device
/// (<see cref="For"/>), each kernel compiled on first use. Work items: one output pixel per item for the pixel
/// kernels, one block of a map for the partial min/max, one map for the final min/max; launch shapes come from
/// <see cref="Launch.Plan"/>. The shape checks are <see cref="HeatmapKernels"/>' (shared with the CPU kernels).
/// </summary>
public sealed class IlgpuHeatmapKernels : KernelSet, IHeatmapKernels
{
    /// <summary>Elements of a map one partial min/max work item scans.</summary>
    internal const int ReduceBlock = 2048;

    static readonly ConditionalWeakTable<Device, IlgpuHeatmapKernels> _cache = new();

    IlgpuHeatmapKernels(Device device) : base(device) { }

    /// <summary>The kernels of <paramref name="device"/> (compiled on first use, then cached).</summary>
    public static IlgpuHeatmapKernels For(Device device) => _cache.GetValue(device, d => new IlgpuHeatmapKernels(d));

    /// <summary>Geometry of the min/max scan: plane size, the window scanned, and how it is cut into blocks.</summary>
    internal readonly struct ReduceShape(int h, int w, PixelWindow window, int blocks)
    {
        public readonly int Plane = h * w, W = w;
        public readonly int Top = window.Top, Left = window.Left, WinW = window.Width;
        public readonly int WinPixels = window.Height * window.Width, Blocks = blocks;
    }

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape>? _resize;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ReduceShape>? _minMaxPartial;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _minMaxFinish;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _normalize;
    Action<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, BlendShape>? _blend;
    Action<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ColorizeShape>? _colorize;
    MemoryBuffer1D<byte, Stride1D.Dense>? _jet;

    /// <summary>The JET table on the device (uploaded once, dropped with the accelerator).</summary>
    ArrayView<byte> Jet => (_jet ??= _acc.Allocate1D(JetColorMap.RgbBytes())).View;

    // ---- (a), (c) bilinear resize -------------------------------------------------------------------------

    // PyTorch's upsample_bilinear2d with HeatmapKernels.Tap's source taps; value = (x00·λx0 + x01·λx1)·λy0 +
    // (x10·λx0 + x11·λx1)·λy1, the order of PyTorch's CPU kernel. One work item per output element of [K, OutH, OutW].
    static void ResizeKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst, ResizeShape s)
    {
        int outPlane = s.OutH * s.OutW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / outPlane, p = i - k * outPlane;
                int y = p / s.OutW, x = p - y * s.OutW;
                Tap(y, s.ScaleY, s.WinH, out int y0, out int y1, out float ly0, out float ly1);
                Tap(x, s.ScaleX, s.WinW, out int x0, out int x1, out float lx0, out float lx1);
                int row0 = k * s.SrcPlane + (s.Top + y0) * s.SrcW + s.Left, row1 = k * s.SrcPlane + (s.Top + y1) * s.SrcW + s.Left;
                float t0 = src[row0 + x0] * lx0 + src[row0 + x1] * lx1;
                float t1 = src[row1 + x0] * lx0 + src[row1 + x1] * lx1;
                dst[i] = t0 * ly0 + t1 * ly1;
            }
    }

    public void ResizeBilinear(Tensor src, Tensor dst, PixelWindow? window = null)
    {
        var (k, shape) = CheckResize(src, dst, window);
        if (k == 0) return;
        var (threads, work) = Plan(dst.Length);
        _resize ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape>(ResizeKernel);
        _resize(threads, work, src.View, dst.View, shape);
    }

    // ---- (b) min/max and normalisation ----------------------------------------------------------------------

    // Item i = (map k, block b): min and max of that block of the window, NaN skipped (comparisons are false).
    static void MinMaxPartialKernel(Index1D t, Work w, ArrayView<float> maps, ArrayView<float> partial, ReduceShape s)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / s.Blocks, b = i - k * s.Blocks;
                int start = b * ReduceBlock, end = start + ReduceBlock < s.WinPixels ? start + ReduceBlock : s.WinPixels;
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                for (int j = start; j < end; j++)
                {
                    int y = j / s.WinW, x = j - y * s.WinW;
                    float v = maps[k * s.Plane + (s.Top + y) * s.W + s.Left + x];
                    if (v < mn) mn = v;
                    if (v > mx) mx = v;
                }
                partial[2 * i] = mn;
                partial[2 * i + 1] = mx;
            }
    }

    // Item k = one map: folds its blocks into stats[k] = (min, max, empty), empty = 1 when not max > min.
    static void MinMaxFinishKernel(Index1D t, Work w, ArrayView<float> partial, ArrayView<float> stats, int blocks)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int k = c; k < w.End(c); k++)
            {
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                for (int b = 0; b < blocks; b++)
                {
                    float lo = partial[2 * (k * blocks + b)], hi = partial[2 * (k * blocks + b) + 1];
                    if (lo < mn) mn = lo;
                    if (hi > mx) mx = hi;
                }
                stats[3 * k] = mn;
                stats[3 * k + 1] = mx;
                stats[3 * k + 2] = mx > mn ? 0f : 1f;
            }
    }

    /// <summary>Two launches: blocks of <see cref="ReduceBlock"/> pixels, then one item per map folding its blocks
    /// (no atomics, no barriers).</summary>
    public void MinMax(Tensor maps, Tensor stats, PixelWindow? region = null)
    {
        var (k, h, w, win) = CheckMinMax(maps, stats, region);
        if (k == 0) return;
        int blocks = (win.Height * win.Width + ReduceBlock - 1) / ReduceBlock;
        using var partial = Tensor.Empty(_device, k, blocks, 2);
        var (threads, work) = Plan(k * blocks);
        _minMaxPartial ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ReduceShape>(MinMaxPartialKernel);
        _minMaxPartial(threads, work, maps.View, partial.View, new ReduceShape(h, w, win, blocks));
        (threads, work) = Plan(k);
        _minMaxFinish ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(MinMaxFinishKernel);
        _minMaxFinish(threads, work, partial.View, stats.View, blocks);
    }

    // One item per element: (v − min) / (max − min) in float32 (numpy's arithmetic), 0 for an empty map.
    static void NormalizeKernel(Index1D t, Work w, ArrayView<float> maps, ArrayView<float> stats, ArrayView<float> dst, int plane)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / plane;
                float mn = stats[3 * k], mx = stats[3 * k + 1];
                dst[i] = stats[3 * k + 2] != 0f ? 0f : (maps[i] - mn) / (mx - mn);
            }
    }

    public void Normalize(Tensor maps, Tensor stats, Tensor dst)
    {
        var (k, plane) = CheckNormalize(maps, stats, dst);
        if (k == 0) return;
        var (threads, work) = Plan(maps.Length);
        _normalize ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(NormalizeKernel);
        _normalize(threads, work, maps.View, stats.View, dst.View, plane);
    }

    // ---- (d), (e) JET and blend -----------------------------------------------------------------------------

    // One item per output pixel of map k: level = trunc(255·cam) (np.uint8(255 * cam)), heat = JET[level] (RGB),
    // out = round-half-even(hw·heat + iw·image), numpy's 0.3 * heatmap + 0.7 * np.float32(img) to the bit: the
    // heat term is float64 (Python float × uint8 array), the image term float32 (Python float × float32 array
    // stays float32 under numpy 1.x casting), their sum float64; then cv2.imwrite's conversion to uint8.
    static void BlendKernel(Index1D t, Work w, ArrayView<float> cam, ArrayView<byte> image, ArrayView<byte> jet,
        ArrayView<byte> dst, BlendShape s)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int p = i % s.Plane;
                int level = JetColorMap.Quantise(cam[i]);
                for (int ch = 0; ch < 3; ch++)
                {
                    float imageTerm = s.ImageWeight * image[3 * p + ch];
                    double v = s.HeatWeight * jet[3 * level + ch] + imageTerm;
                    dst[3 * i + ch] = RoundToByte(v);
                }
            }
    }

    public void ColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight)
    {
        var (k, shape) = CheckColorizeBlend(cam, image, output, heatWeight);
        if (k == 0) return;
        var (threads, work) = Plan(cam.Length);
        _blend ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, BlendShape>(BlendKernel);
        _blend(threads, work, cam.View, image.View, Jet, output.View, shape);
    }

    // One item per output pixel: the grid cell under it (integer nearest-neighbour upscale), level = trunc(255·v),
    // grey (level, level, level) or JET[level].
    static void ColorizeKernel(Index1D t, Work w, ArrayView<float> grid, ArrayView<byte> jet, ArrayView<byte> dst, ColorizeShape s)
    {
        int outW = s.W * s.Scale;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int y = i / outW, x = i - y * outW;
                int level = JetColorMap.Quantise(grid[(y / s.Scale) * s.W + x / s.Scale]);
                for (int ch = 0; ch < 3; ch++)
                    dst[3 * i + ch] = s.Gray != 0 ? (byte)level : jet[3 * level + ch];
            }
    }

    public void Colorize(Tensor grid, DeviceRgb output, bool gray, int scale = 1)
    {
        var shape = CheckColorize(grid, output, gray, scale);
        var (threads, work) = Plan(shape.H * shape.W * scale * scale);
        _colorize ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ColorizeShape>(ColorizeKernel);
        _colorize(threads, work, grid.View, Jet, output.View, shape);
    }
}
