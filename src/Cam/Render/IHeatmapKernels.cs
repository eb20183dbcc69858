using NativeCam.Tensors;

namespace NativeCam.Cam.Render;

/// <summary>
/// The rendering steps from raw maps to overlays (<see cref="HeatmapKernels"/> calls the device's implementation:
/// <see cref="IlgpuHeatmapKernels"/> or <see cref="CpuHeatmapKernels"/>). Every method writes into tensors and
/// images the caller allocated on one device and never reads back to the host.
/// </summary>
public interface IHeatmapKernels
{
    /// <summary>
    /// Bilinear resize of <paramref name="window"/> (default: all) of each source map [K, h, w] into
    /// <paramref name="dst"/> [K, H, W], exactly PyTorch's F.interpolate(mode='bilinear', align_corners=False)
    /// applied to the cropped maps (half-pixel centres, source coordinate clamped at 0, no antialiasing when
    /// shrinking). Upsampling a map to the network input uses the full window; cropping the letterbox padding
    /// and resizing back to the original image uses the padding-free window.
    /// </summary>
    void ResizeBilinear(Tensor src, Tensor dst, PixelWindow? window = null);

    /// <summary>
    /// Per-map minimum and maximum of <paramref name="maps"/> [K, H, W] over <paramref name="region"/> (default:
    /// the whole map) into <paramref name="stats"/> [K, 3] = (min, max, empty), where empty is 1 when max == min
    /// (or the region holds no comparable value: all NaN). NaN values are skipped; of equal extremes (−0 and +0)
    /// the first in row-major order is kept.
    /// </summary>
    void MinMax(Tensor maps, Tensor stats, PixelWindow? region = null);

    /// <summary>
    /// Min-max normalisation to [0, 1] with the statistics of <see cref="MinMax"/>: dst = (maps − min) / (max − min)
    /// per map, float32; a map marked empty becomes all zeros (never NaN). <paramref name="dst"/> may be
    /// <paramref name="maps"/> itself.
    /// </summary>
    void Normalize(Tensor maps, Tensor stats, Tensor dst);

    /// <summary>
    /// Colours each normalised map of <paramref name="cam"/> [K, H, W] with JET (level = trunc(255·v), OpenCV's
    /// table) and blends it onto <paramref name="image"/> (one H x W RGB image): out = round(w·heat + (1 − w)·image)
    /// with numpy's precision for the seed tools' expression (heat term float64, image term float32, sum float64),
    /// rounded half to even as cv2.imwrite converts their float image.
    /// <paramref name="output"/> receives K images.
    /// </summary>
    void ColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight);

    /// <summary>
    /// Renders a [H, W] grid of values in [0, 1] as one RGB image of (H·scale) x (W·scale): grey levels or JET, each
    /// value quantised as trunc(255·v) like the maps, each cell a scale x scale block.
    /// </summary>
    void Colorize(Tensor grid, DeviceRgb output, bool gray, int scale = 1);
}
