using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cam.Render;

/// <summary>How a feature-map grid is coloured.</summary>
public enum GridColor
{
    /// <summary>Grey levels trunc(255·v), as the feature-visualisation tools' cmap='gray'.</summary>
    Gray,

    /// <summary>OpenCV's COLORMAP_JET of the same levels.</summary>
    Jet,
}

/// <summary>
/// Renders a feature-map grid (a [H, W] device tensor already normalised to [0, 1], tiles laid out by the CAM
/// side) as an RGB image, grey or JET, each cell enlarged to scale x scale pixels (nearest neighbour) so small
/// grids stay visible. One kernel, then one copy to the host.
/// </summary>
public static class FeatureGridRenderer
{
    public static RgbImage Render(Tensor grid, GridColor color = GridColor.Gray, int scale = 1)
    {
        if (grid.Rank != 2 || grid.Shape[0] < 1 || grid.Shape[1] < 1)
            throw new ArgumentException($"feature grid: {grid} is not a non-empty [H, W]");
        if (scale < 1) throw new ArgumentException($"feature grid: scale {scale} must be at least 1");
        using var output = DeviceRgb.Allocate(grid.Device, 1, grid.Shape[0] * scale, grid.Shape[1] * scale);
        HeatmapKernels.Colorize(grid, output, color == GridColor.Gray, scale);
        return output.ToImages()[0];
    }
}
