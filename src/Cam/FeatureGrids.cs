using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>Feature-map grids: the first N channels of a layer tiled ⌈√N⌉ wide (YOLOv5's feature_visualization).</summary>
public static class FeatureGrids
{
    /// <summary>Rows and columns of the grid for <paramref name="count"/> channels: cols = ⌈√count⌉, rows = ⌈count / cols⌉.</summary>
    public static (int Rows, int Cols) Layout(int count)
    {
        if (count <= 0) throw new ArgumentException($"feature grid: {count} channels");
        int cols = (int)Math.Ceiling(Math.Sqrt(count));
        while ((cols - 1) * (cols - 1) >= count) cols--; // guard against Sqrt rounding up a perfect square
        return ((count + cols - 1) / cols, cols);
    }

    /// <summary>
    /// Tiles the first <paramref name="count"/> channels (at most C) of <paramref name="activation"/> [1, C, h, w]
    /// row-major into a new [rows·h, cols·w] tensor, each channel min-max normalised to [0, 1] on the device
    /// (a constant channel and the unused cells are 0). Colour mapping is the renderer's.
    /// </summary>
    public static Tensor Tile(Tensor activation, int count)
    {
        if (activation.Rank != 4 || activation.Shape[0] != 1)
            throw new ArgumentException($"feature grid: activation must be [1, C, h, w], got {Tensor.Format(activation.Shape)}");
        int c = activation.Shape[1], h = activation.Shape[2], w = activation.Shape[3];
        count = Math.Min(count, c);
        var (rows, cols) = Layout(count);
        var device = activation.Device;
        var grid = Tensor.Empty(device, rows * h, cols * w);
        using var scratch = Tensor.Empty(device, 2 * count);
        CamKernels.For(device).FeatureGrid(activation, h, w, count, rows, cols, grid, scratch);
        return grid;
    }
}
