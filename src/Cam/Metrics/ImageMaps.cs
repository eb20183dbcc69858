using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cam.Metrics;

/// <summary>Raw maps brought to the original image for measuring, exactly as the renderer places them (before its
/// normalisation, which no metric needs: all are invariant to a positive scale).</summary>
public static class ImageMaps
{
    /// <summary>Maps [K, h, w] → K host maps [imageHeight, imageWidth]: bilinear to the letterboxed input, then the
    /// image window bilinear-resized to the original (<see cref="HeatmapRenderer"/>'s two resizes).</summary>
    public static float[][] ToImage(Tensor maps, LetterboxInfo letterbox)
    {
        if (maps.Rank != 3) throw new ArgumentException($"image maps: {maps} is not [K, h, w]");
        var device = maps.Device;
        int k = maps.Shape[0], n = letterbox.ImageHeight * letterbox.ImageWidth;
        using var input = Tensor.Empty(device, k, letterbox.InputHeight, letterbox.InputWidth);
        using var original = Tensor.Empty(device, k, letterbox.ImageHeight, letterbox.ImageWidth);
        HeatmapKernels.ResizeBilinear(maps, input);
        HeatmapKernels.ResizeBilinear(input, original, HeatmapRenderer.ImageWindow(letterbox));
        var host = original.ToArray();
        return Enumerable.Range(0, k).Select(i => host.AsSpan(i * n, n).ToArray()).ToArray();
    }
}
