using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cam.Render;

/// <summary>K overlays at the original image size, and what normalisation found in each map.</summary>
public sealed record HeatmapRender(IReadOnlyList<RgbImage> Overlays, IReadOnlyList<MapStats> Stats);

/// <summary>
/// Raw class-activation maps [K, h, w] (any layer's resolution) to K coloured overlays on the original image,
/// all on the device: bilinear upsample to the letterboxed network input → per-map min-max normalisation (over
/// the input by default) → crop the letterbox padding and bilinear-resize to the original image → JET → blend.
/// The results come back at the end: the images in one copy and the per-map statistics in one small copy.
/// docs/rendering.md explains the order.
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>Renders every map of <paramref name="maps"/> [K, h, w] onto <paramref name="image"/>, the
    /// original image that <paramref name="letterbox"/> describes.</summary>
    public static HeatmapRender Render(Tensor maps, LetterboxInfo letterbox, RgbImage image, HeatmapOptions? options = null)
    {
        options ??= HeatmapOptions.Default;
        if (maps.Rank != 3 || maps.Shape[0] < 1 || maps.Shape[1] < 1 || maps.Shape[2] < 1)
            throw new ArgumentException($"heat-map render: maps {maps} are not a non-empty [K, h, w]");
        if (letterbox.ImageHeight != image.Height || letterbox.ImageWidth != image.Width)
            throw new ArgumentException($"heat-map render: letterbox of a {letterbox.ImageHeight}x{letterbox.ImageWidth} image used with a {image.Height}x{image.Width} one");
        if (!(options.HeatmapWeight >= 0 && options.HeatmapWeight <= 1))
            throw new ArgumentException($"heat-map render: heat-map weight {options.HeatmapWeight} is not in [0, 1]");
        var visible = ImageWindow(letterbox);
        if (!visible.FitsIn(letterbox.InputHeight, letterbox.InputWidth))
            throw new ArgumentException($"heat-map render: image window {visible} is outside the {letterbox.InputHeight}x{letterbox.InputWidth} input");

        var device = maps.Device;
        int k = maps.Shape[0];
        using var input = Tensor.Empty(device, k, letterbox.InputHeight, letterbox.InputWidth);
        using var stats = Tensor.Empty(device, k, 3);
        using var original = Tensor.Empty(device, k, image.Height, image.Width);
        using var picture = DeviceRgb.Upload(device, image);
        using var overlays = DeviceRgb.Allocate(device, k, image.Height, image.Width);

        HeatmapKernels.ResizeBilinear(maps, input);
        HeatmapKernels.MinMax(input, stats, options.NormalizeOver == NormalizeRegion.Image ? visible : null);
        if (options.SharedRange is { } range)
        {
            // Every map against the one range; the statistics returned stay each map's own.
            using var shared = Tensor.FromArray(device, Enumerable.Range(0, k).SelectMany(_ => new[] { range.Min, range.Max, range.Empty ? 1f : 0f }).ToArray(), k, 3);
            HeatmapKernels.Normalize(input, shared, input);
        }
        else HeatmapKernels.Normalize(input, stats, input);
        HeatmapKernels.ResizeBilinear(input, original, visible);
        HeatmapKernels.ColorizeBlend(original, picture, overlays, options.HeatmapWeight);

        var images = overlays.ToImages();
        return new HeatmapRender(images, ReadStats(stats));
    }

    /// <summary>What <see cref="Render"/> would find as each map's min and max (steps 1 and 2 only), for a shared range
    /// over maps rendered in several calls.</summary>
    public static MapStats[] Stats(Tensor maps, LetterboxInfo letterbox, HeatmapOptions? options = null)
    {
        options ??= HeatmapOptions.Default;
        if (maps.Rank != 3 || maps.Shape[0] < 1)
            throw new ArgumentException($"heat-map stats: maps {maps} are not a non-empty [K, h, w]");
        int k = maps.Shape[0];
        using var input = Tensor.Empty(maps.Device, k, letterbox.InputHeight, letterbox.InputWidth);
        using var stats = Tensor.Empty(maps.Device, k, 3);
        HeatmapKernels.ResizeBilinear(maps, input);
        HeatmapKernels.MinMax(input, stats, options.NormalizeOver == NormalizeRegion.Image ? ImageWindow(letterbox) : null);
        return ReadStats(stats);
    }

    /// <summary>The part of the network input that shows the image: the resized picture inside the padding.</summary>
    public static PixelWindow ImageWindow(LetterboxInfo letterbox) =>
        new(letterbox.PadTop, letterbox.PadLeft, letterbox.ResizedHeight, letterbox.ResizedWidth);

    /// <summary>Copies stats [K, 3] (min, max, empty) from <see cref="HeatmapKernels.MinMax"/> to the host in one copy.</summary>
    public static MapStats[] ReadStats(Tensor stats)
    {
        var host = stats.ToArray();
        var result = new MapStats[host.Length / 3];
        for (int i = 0; i < result.Length; i++) result[i] = new MapStats(host[3 * i], host[3 * i + 1], host[3 * i + 2] != 0f);
        return result;
    }
}
