using NativeCam.Tensors;

namespace NativeCam.Cam.Render;

/// <summary>
/// The device steps that turn raw class-activation maps [K, h, w] into coloured overlays: bilinear resize
/// (optionally of a cropped window), per-map min/max and normalisation, and JET colouring with or without a
/// blend onto an image. Every method only queues work on the maps' device: nothing is copied to the host, so
/// the steps chain without round trips (<see cref="HeatmapRenderer"/> strings them together).
/// <see cref="For"/> picks the implementation: <see cref="CpuHeatmapKernels"/> (plain C# on the host memory) on
/// the `cpu` device, <see cref="IlgpuHeatmapKernels"/> elsewhere. Both validate with the checks below and give
/// identical results.
/// </summary>
public static class HeatmapKernels
{
    /// <summary>
    /// <see cref="CpuHeatmapKernels"/> on the SIMD CPU backend's device (<see cref="DeviceKind.Cpu"/>: ILGPU's
    /// simulator would run these kernels ~100x slower and compile each on first use), <see cref="IlgpuHeatmapKernels"/>
    /// on a GPU and on ILGPU's CPU accelerator.
    /// </summary>
    public static IHeatmapKernels For(Device device) =>
        device.Kind == DeviceKind.Cpu ? CpuHeatmapKernels.Shared : IlgpuHeatmapKernels.For(device);

    /// <inheritdoc cref="IHeatmapKernels.ResizeBilinear"/>
    public static void ResizeBilinear(Tensor src, Tensor dst, PixelWindow? window = null) => For(src.Device).ResizeBilinear(src, dst, window);

    /// <inheritdoc cref="IHeatmapKernels.MinMax"/>
    public static void MinMax(Tensor maps, Tensor stats, PixelWindow? region = null) => For(maps.Device).MinMax(maps, stats, region);

    /// <inheritdoc cref="IHeatmapKernels.Normalize"/>
    public static void Normalize(Tensor maps, Tensor stats, Tensor dst) => For(maps.Device).Normalize(maps, stats, dst);

    /// <inheritdoc cref="IHeatmapKernels.ColorizeBlend"/>
    public static void ColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight) =>
        For(cam.Device).ColorizeBlend(cam, image, output, heatWeight);

    /// <inheritdoc cref="IHeatmapKernels.Colorize"/>
    public static void Colorize(Tensor grid, DeviceRgb output, bool gray, int scale = 1) => For(grid.Device).Colorize(grid, output, gray, scale);

    // ---- Geometry and arithmetic shared by both implementations -------------------------------------------

    /// <summary>Geometry of a bilinear resize: the source planes, the window read from them, the output planes,
    /// and PyTorch's float32 scales (window size / output size).</summary>
    internal readonly struct ResizeShape(int srcH, int srcW, PixelWindow window, int outH, int outW)
    {
        public readonly int SrcPlane = srcH * srcW, SrcW = srcW;
        public readonly int Top = window.Top, Left = window.Left, WinH = window.Height, WinW = window.Width;
        public readonly int OutH = outH, OutW = outW;
        public readonly float ScaleY = (float)window.Height / outH, ScaleX = (float)window.Width / outW;
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

    /// <summary>
    /// The two source taps of output index <paramref name="o"/> along one axis of a resize by <paramref name="scale"/>
    /// (window size / output size) from a window of <paramref name="size"/>: PyTorch's upsample_bilinear2d with
    /// align_corners=False: source = max(scale·(o + ½) − ½, 0) in float32, i0 = floor (clamped to the last
    /// index), i1 = i0 + 1 unless i0 is last, λ1 = source − i0, λ0 = 1 − λ1.
    /// </summary>
    internal static void Tap(int o, float scale, int size, out int i0, out int i1, out float l0, out float l1)
    {
        float source = scale * (o + 0.5f) - 0.5f;
        if (source < 0f) source = 0f;
        i0 = (int)source;
        if (i0 > size - 1) i0 = size - 1;
        i1 = i0 < size - 1 ? i0 + 1 : i0;
        l1 = Clamp01(source - i0);
        l0 = 1f - l1;
    }

    static float Clamp01(float v) => v < 0f ? 0f : v > 1f ? 1f : v;

    /// <summary>cvRound's round-half-to-even and saturate_cast&lt;uchar&gt;, for v ≥ 0 (0 for NaN).</summary>
    internal static byte RoundToByte(double v)
    {
        if (!(v > 0.0)) return 0;
        if (v >= 255.0) return 255;
        int f = (int)v;
        double d = v - f;
        int r = d > 0.5 ? f + 1 : d < 0.5 ? f : f + (f & 1);
        return (byte)r;
    }

    // ---- Shape checks, shared by both implementations (same refusals, before any memory is touched) -------

    /// <summary>The map count and resize geometry; K = 0: nothing to write.</summary>
    internal static (int K, ResizeShape Shape) CheckResize(Tensor src, Tensor dst, PixelWindow? window)
    {
        var (k, h, w) = Maps(src, "resize: source");
        var (kd, oh, ow) = Maps(dst, "resize: destination");
        var win = window ?? PixelWindow.Full(h, w);
        if (kd != k) throw new ArgumentException($"resize: source {src} and destination {dst} hold different map counts");
        if (!win.FitsIn(h, w)) throw new ArgumentException($"resize: window {win} does not fit in the {h}x{w} maps of {src}");
        if (oh == 0 || ow == 0 || k == 0) return (0, default);
        SameDevice(src, dst, "resize");
        return (k, new ResizeShape(h, w, win, oh, ow));
    }

    /// <summary>The map count, map size and the window scanned; K = 0: nothing to write.</summary>
    internal static (int K, int H, int W, PixelWindow Window) CheckMinMax(Tensor maps, Tensor stats, PixelWindow? region)
    {
        var (k, h, w) = Maps(maps, "min/max: maps");
        var win = region ?? PixelWindow.Full(h, w);
        if (stats.Length != 3 * k) throw new ArgumentException($"min/max: stats {stats} is not [{k}, 3] for maps {maps}");
        if (!win.FitsIn(h, w)) throw new ArgumentException($"min/max: region {win} does not fit in the {h}x{w} maps of {maps}");
        if (k == 0) return (0, h, w, win);
        SameDevice(maps, stats, "min/max");
        return (k, h, w, win);
    }

    /// <summary>The map count and plane size; K = 0: nothing to write.</summary>
    internal static (int K, int Plane) CheckNormalize(Tensor maps, Tensor stats, Tensor dst)
    {
        var (k, h, w) = Maps(maps, "normalize: maps");
        if (stats.Length != 3 * k) throw new ArgumentException($"normalize: stats {stats} is not [{k}, 3] for maps {maps}");
        if (dst.Length != maps.Length) throw new ArgumentException($"normalize: destination {dst} does not match maps {maps}");
        if (maps.Length == 0) return (0, 0);
        SameDevice(maps, dst, "normalize");
        return (k, h * w);
    }

    /// <summary>The map count and blend parameters.</summary>
    internal static (int K, BlendShape Shape) CheckColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight)
    {
        var (k, h, w) = Maps(cam, "blend: maps");
        if (image.Count != 1 || image.Height != h || image.Width != w)
            throw new ArgumentException($"blend: image {image} is not one {h}x{w} image for maps {cam}");
        if (output.Count != k || output.Height != h || output.Width != w)
            throw new ArgumentException($"blend: output {output} is not [{k}, {h}, {w}, 3] for maps {cam}");
        if (!(heatWeight >= 0 && heatWeight <= 1)) throw new ArgumentException($"blend: heat-map weight {heatWeight} is not in [0, 1]");
        if (cam.Device != image.Device || cam.Device != output.Device) throw new ArgumentException("blend: maps and images are on different devices");
        return (k, new BlendShape(h * w, heatWeight));
    }

    internal static ColorizeShape CheckColorize(Tensor grid, DeviceRgb output, bool gray, int scale)
    {
        if (grid.Rank != 2) throw new ArgumentException($"colorize: grid {grid} is not [H, W]");
        int h = grid.Shape[0], w = grid.Shape[1];
        if (scale < 1) throw new ArgumentException($"colorize: scale {scale} must be at least 1");
        if (output.Count != 1 || output.Height != h * scale || output.Width != w * scale)
            throw new ArgumentException($"colorize: output {output} is not one {h * scale}x{w * scale} image for grid {grid} at scale {scale}");
        if (grid.Device != output.Device) throw new ArgumentException("colorize: grid and image are on different devices");
        return new ColorizeShape(h, w, scale, gray);
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
