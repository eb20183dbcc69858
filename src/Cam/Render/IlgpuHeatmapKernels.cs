using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam.Render;

/// <summary>
/// The device steps that turn raw class-activation maps [K, h, w] into coloured overlays, one kernel each:
/// bilinear resize (optionally of a cropped window), per-map min/max and normalisation, and JET colouring with
/// or without a blend onto an image. Every method only queues work on the maps' device: nothing is copied to
/// the host, so the steps chain without round trips (<see cref="HeatmapRenderer"/> strings them together).
/// Work items: one output pixel per item for the pixel kernels, one block of a map for the partial min/max,
/// one map for the final min/max; launch shapes come from <see cref="Launch.Plan"/>.
/// </summary>
public static class HeatmapKernels
{
    /// <summary>Elements of a map one partial min/max work item scans.</summary>
    internal const int ReduceBlock = 2048;

    /// <summary>Geometry of a bilinear resize: the source planes, the window read from them, the output planes,
    /// and PyTorch's float32 scales (window size / output size).</summary>
    internal readonly struct ResizeShape(int srcH, int srcW, PixelWindow window, int outH, int outW)
    {
        public readonly int SrcPlane = srcH * srcW, SrcW = srcW;
        public readonly int Top = window.Top, Left = window.Left, WinH = window.Height, WinW = window.Width;
        public readonly int OutH = outH, OutW = outW;
        public readonly float ScaleY = (float)window.Height / outH, ScaleX = (float)window.Width / outW;
    }

    /// <summary>Geometry of the min/max scan: plane size, the window scanned, and how it is cut into blocks.</summary>
    internal readonly struct ReduceShape(int h, int w, PixelWindow window, int blocks)
    {
        public readonly int Plane = h * w, W = w;
        public readonly int Top = window.Top, Left = window.Left, WinW = window.Width;
        public readonly int WinPixels = window.Height * window.Width, Blocks = blocks;
    }

    /// <summary>Pixel count of one plane and the blend weights: the heat-map weight in float64 and the image
    /// weight 1 − w rounded to float32, as numpy applies a Python float to a uint8 and a float32 array.</summary>
    internal readonly struct BlendShape(int plane, double heatWeight)
    {
        public readonly int Plane = plane;
        public readonly double HeatWeight = heatWeight;
        public readonly float ImageWeight = (float)(1.0 - heatWeight);
    }

    /// <summary>Grid size, the integer upscale of the rendered image, and grey (1) or JET (0).</summary>
    internal readonly struct ColorizeShape(int h, int w, int scale, bool gray)
    {
        public readonly int H = h, W = w, Scale = scale, Gray = gray ? 1 : 0;
    }

    // Kernels compiled once per accelerator, with the JET table uploaded there; dropped with the accelerator.
    sealed class Loaded(Accelerator a)
    {
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape> Resize =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape>(ResizeKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ReduceShape> MinMaxPartial =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ReduceShape>(MinMaxPartialKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int> MinMaxFinish =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(MinMaxFinishKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Normalize =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(NormalizeKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, BlendShape> Blend =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, BlendShape>(BlendKernel);
        public readonly Action<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ColorizeShape> Colorize =
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ColorizeShape>(ColorizeKernel);
        public readonly MemoryBuffer1D<byte, Stride1D.Dense> Jet = a.Allocate1D(JetColorMap.RgbBytes());
    }

    static readonly ConditionalWeakTable<Accelerator, Loaded> _cache = new();

    static Loaded For(Device device) => _cache.GetValue(device.Accelerator, a => new Loaded(a));

    // ---- (a), (c) bilinear resize -------------------------------------------------------------------------

    // PyTorch's upsample_bilinear2d, align_corners=False: source = max(scale·(dst + ½) − ½, 0) in float32,
    // i0 = floor (clamped to the last row/column), i1 = i0 + 1 unless i0 is last, λ1 = source − i0, λ0 = 1 − λ1;
    // value = (x00·λx0 + x01·λx1)·λy0 + (x10·λx0 + x11·λx1)·λy1, the order of PyTorch's CPU kernel.
    // One work item per output element of [K, OutH, OutW].
    static void ResizeKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst, ResizeShape s)
    {
        int outPlane = s.OutH * s.OutW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int k = i / outPlane, p = i - k * outPlane;
                int y = p / s.OutW, x = p - y * s.OutW;
                float sy = s.ScaleY * (y + 0.5f) - 0.5f, sx = s.ScaleX * (x + 0.5f) - 0.5f;
                if (sy < 0f) sy = 0f;
                if (sx < 0f) sx = 0f;
                int y0 = (int)sy, x0 = (int)sx;
                if (y0 > s.WinH - 1) y0 = s.WinH - 1;
                if (x0 > s.WinW - 1) x0 = s.WinW - 1;
                int y1 = y0 < s.WinH - 1 ? y0 + 1 : y0, x1 = x0 < s.WinW - 1 ? x0 + 1 : x0;
                float ly1 = Clamp01(sy - y0), lx1 = Clamp01(sx - x0);
                float ly0 = 1f - ly1, lx0 = 1f - lx1;
                int row0 = k * s.SrcPlane + (s.Top + y0) * s.SrcW + s.Left, row1 = k * s.SrcPlane + (s.Top + y1) * s.SrcW + s.Left;
                float t0 = src[row0 + x0] * lx0 + src[row0 + x1] * lx1;
                float t1 = src[row1 + x0] * lx0 + src[row1 + x1] * lx1;
                dst[i] = t0 * ly0 + t1 * ly1;
            }
    }

    static float Clamp01(float v) => v < 0f ? 0f : v > 1f ? 1f : v;

    /// <summary>
    /// Bilinear resize of <paramref name="window"/> (default: all) of each source map [K, h, w] into
    /// <paramref name="dst"/> [K, H, W], exactly PyTorch's F.interpolate(mode='bilinear', align_corners=False)
    /// applied to the cropped maps (half-pixel centres, source coordinate clamped at 0, no antialiasing when
    /// shrinking). Upsampling a map to the network input uses the full window; cropping the letterbox padding
    /// and resizing back to the original image uses the padding-free window.
    /// </summary>
    public static void ResizeBilinear(Tensor src, Tensor dst, PixelWindow? window = null)
    {
        var (k, h, w) = Maps(src, "resize: source");
        var (kd, oh, ow) = Maps(dst, "resize: destination");
        var win = window ?? PixelWindow.Full(h, w);
        if (kd != k) throw new ArgumentException($"resize: source {src} and destination {dst} hold different map counts");
        if (!win.FitsIn(h, w)) throw new ArgumentException($"resize: window {win} does not fit in the {h}x{w} maps of {src}");
        if (oh == 0 || ow == 0 || k == 0) return;
        SameDevice(src, dst, "resize");
        var shape = new ResizeShape(h, w, win, oh, ow);
        var (threads, work) = Launch.Plan(src.Device, dst.Length);
        For(src.Device).Resize(threads, work, src.View, dst.View, shape);
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

    /// <summary>
    /// Per-map minimum and maximum of <paramref name="maps"/> [K, H, W] over <paramref name="region"/> (default:
    /// the whole map) into <paramref name="stats"/> [K, 3] = (min, max, empty), where empty is 1 when max == min
    /// (or the region holds no comparable value: all NaN). NaN values are skipped. Two launches: blocks of
    /// <see cref="ReduceBlock"/> pixels, then one item per map folding its blocks (no atomics, no barriers).
    /// </summary>
    public static void MinMax(Tensor maps, Tensor stats, PixelWindow? region = null)
    {
        var (k, h, w) = Maps(maps, "min/max: maps");
        var win = region ?? PixelWindow.Full(h, w);
        if (stats.Length != 3 * k) throw new ArgumentException($"min/max: stats {stats} is not [{k}, 3] for maps {maps}");
        if (!win.FitsIn(h, w)) throw new ArgumentException($"min/max: region {win} does not fit in the {h}x{w} maps of {maps}");
        if (k == 0) return;
        SameDevice(maps, stats, "min/max");
        var device = maps.Device;
        int blocks = (win.Height * win.Width + ReduceBlock - 1) / ReduceBlock;
        using var partial = Tensor.Empty(device, k, blocks, 2);
        var loaded = For(device);
        var (threads, work) = Launch.Plan(device, k * blocks);
        loaded.MinMaxPartial(threads, work, maps.View, partial.View, new ReduceShape(h, w, win, blocks));
        (threads, work) = Launch.Plan(device, k);
        loaded.MinMaxFinish(threads, work, partial.View, stats.View, blocks);
    }

    /// <summary>
    /// Min-max normalisation to [0, 1] with the statistics of <see cref="MinMax"/>: dst = (maps − min) / (max − min)
    /// per map, float32; a map marked empty becomes all zeros (never NaN). <paramref name="dst"/> may be
    /// <paramref name="maps"/> itself.
    /// </summary>
    public static void Normalize(Tensor maps, Tensor stats, Tensor dst)
    {
        var (k, h, w) = Maps(maps, "normalize: maps");
        if (stats.Length != 3 * k) throw new ArgumentException($"normalize: stats {stats} is not [{k}, 3] for maps {maps}");
        if (dst.Length != maps.Length) throw new ArgumentException($"normalize: destination {dst} does not match maps {maps}");
        if (maps.Length == 0) return;
        SameDevice(maps, dst, "normalize");
        var (threads, work) = Launch.Plan(maps.Device, maps.Length);
        For(maps.Device).Normalize(threads, work, maps.View, stats.View, dst.View, h * w);
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

    // cvRound's round-half-to-even and saturate_cast<uchar>, for v >= 0.
    static byte RoundToByte(double v)
    {
        if (!(v > 0.0)) return 0;
        if (v >= 255.0) return 255;
        int f = (int)v;
        double d = v - f;
        int r = d > 0.5 ? f + 1 : d < 0.5 ? f : f + (f & 1);
        return (byte)r;
    }

    /// <summary>
    /// Colours each normalised map of <paramref name="cam"/> [K, H, W] with JET (level = trunc(255·v), OpenCV's
    /// table) and blends it onto <paramref name="image"/> (one H x W RGB image): out = round(w·heat + (1 − w)·image)
    /// with numpy's precision for the seed tools' expression (heat term float64, image term float32, sum float64),
    /// rounded half to even as cv2.imwrite converts their float image.
    /// <paramref name="output"/> receives K images.
    /// </summary>
    public static void ColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight)
    {
        var (k, h, w) = Maps(cam, "blend: maps");
        if (image.Count != 1 || image.Height != h || image.Width != w)
            throw new ArgumentException($"blend: image {image} is not one {h}x{w} image for maps {cam}");
        if (output.Count != k || output.Height != h || output.Width != w)
            throw new ArgumentException($"blend: output {output} is not [{k}, {h}, {w}, 3] for maps {cam}");
        if (!(heatWeight >= 0 && heatWeight <= 1)) throw new ArgumentException($"blend: heat-map weight {heatWeight} is not in [0, 1]");
        if (cam.Device != image.Device || cam.Device != output.Device) throw new ArgumentException("blend: maps and images are on different devices");
        var (threads, work) = Launch.Plan(cam.Device, cam.Length);
        var loaded = For(cam.Device);
        loaded.Blend(threads, work, cam.View, image.View, loaded.Jet.View, output.View, new BlendShape(h * w, heatWeight));
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

    /// <summary>
    /// Renders a [H, W] grid of values in [0, 1] as one RGB image of (H·scale) x (W·scale): grey levels or JET, each
    /// value quantised as trunc(255·v) like the maps, each cell a scale x scale block.
    /// </summary>
    public static void Colorize(Tensor grid, DeviceRgb output, bool gray, int scale = 1)
    {
        if (grid.Rank != 2) throw new ArgumentException($"colorize: grid {grid} is not [H, W]");
        int h = grid.Shape[0], w = grid.Shape[1];
        if (scale < 1) throw new ArgumentException($"colorize: scale {scale} must be at least 1");
        if (output.Count != 1 || output.Height != h * scale || output.Width != w * scale)
            throw new ArgumentException($"colorize: output {output} is not one {h * scale}x{w * scale} image for grid {grid} at scale {scale}");
        if (grid.Device != output.Device) throw new ArgumentException("colorize: grid and image are on different devices");
        var (threads, work) = Launch.Plan(grid.Device, h * w * scale * scale);
        var loaded = For(grid.Device);
        loaded.Colorize(threads, work, grid.View, loaded.Jet.View, output.View, new ColorizeShape(h, w, scale, gray));
    }

    static (int K, int H, int W) Maps(Tensor t, string what)
    {
        if (t.Rank != 3) throw new ArgumentException($"{what} {t} is not [K, H, W]");
        return (t.Shape[0], t.Shape[1], t.Shape[2]);
    }

    static void SameDevice(Tensor a, Tensor b, string what)
    {
        if (a.Device != b.Device) throw new ArgumentException($"{what}: {a} and {b} are on different devices");
    }
}
