using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>Sizes of a layer: C channels of P pixels, K targets.</summary>
internal readonly struct LayerShape(int k, int c, int p)
{
    public readonly int K = k, C = c, P = p;
}

/// <summary>
/// The host-side checks of every <see cref="ICamKernels"/> call, written once: both implementations (ILGPU and
/// SIMD CPU) call these before touching memory, so they refuse the same calls with the same message, and they
/// return the sizes the kernels need.
/// </summary>
internal static class CamChecks
{
    static void Require(bool condition, string message) => BackendChecks.Require(condition, message);

    /// <summary>An activation of C·P and a gradient of K copies of it.</summary>
    public static LayerShape Shape(Tensor a, Tensor g, int channels, string what)
    {
        Require(channels > 0 && a.Length % channels == 0 && a.Length > 0, $"{what}: activation of {a.Length} elements has no {channels} channels");
        Require(g.Length % a.Length == 0 && g.Length > 0, $"{what}: gradient of {g.Length} elements is not K copies of the activation's {a.Length}");
        return new LayerShape(g.Length / a.Length, channels, a.Length / channels);
    }

    /// <summary>Grad-CAM, Grad-CAM++, XGrad-CAM: K·C weights.</summary>
    public static LayerShape ChannelWeights(CamMethod method, Tensor a, Tensor g, Tensor weights)
    {
        Require(method is CamMethod.GradCam or CamMethod.GradCamPlusPlus or CamMethod.XGradCam,
            $"channel weights: {method} does not weight channels");
        Require(a.Length > 0 && weights.Length > 0 && g.Length % weights.Length == 0, $"{method} weights: {weights.Length} weights for a gradient of {g.Length}");
        int k = g.Length / a.Length;
        Require(k > 0 && weights.Length % k == 0, $"{method} weights: {weights.Length} weights for {k} targets");
        return Shape(a, g, weights.Length / k, $"{method} weights");
    }

    /// <summary>LayerCAM / HiResCAM: K maps of P pixels over an activation of C·P and a gradient of K·C·P.</summary>
    public static LayerShape PixelSum(CamMethod method, Tensor a, Tensor g, Tensor map)
    {
        Require(method is CamMethod.LayerCam or CamMethod.HiResCam or CamMethod.GradCamElementWise, $"pixel sum: {method} is not a per-pixel weighting");
        int k = g.Length / Math.Max(1, a.Length);
        Require(k > 0 && map.Length % k == 0 && map.Length > 0 && a.Length % (map.Length / k) == 0,
            $"{method}: a map of {map.Length} does not fit {k} targets over an activation of {a.Length}");
        return Shape(a, g, a.Length / (map.Length / k), $"{method}");
    }

    /// <summary>Weights [K, C] over an activation of C·P into maps [K, ..P].</summary>
    public static LayerShape WeightedSum(Tensor a, Tensor weights, Tensor map)
    {
        Require(weights.Rank == 2 && weights.Length > 0 && map.Rank >= 1 && map.Shape[0] == weights.Shape[0],
            $"weighted sum: weights {Tensor.Format(weights.Shape)} must be [K, C] and the map [K, ..]; map is {Tensor.Format(map.Shape)}");
        int k = weights.Shape[0], c = weights.Shape[1];
        Require((long)c * (map.Length / k) == a.Length, $"weighted sum: {c} channels of {map.Length / k} pixels do not make an activation of {a.Length}");
        return new LayerShape(k, c, map.Length / k);
    }

    public static void Product(Tensor a, Tensor g, Tensor x) =>
        Require(x.Length == g.Length && a.Length > 0 && g.Length % a.Length == 0,
            $"A·G product: activation {a.Length}, gradient {g.Length}, output {x.Length}");

    /// <summary>K matrices [C, P] into K maps of P; returns K.</summary>
    public static int EigenProjection(Tensor x, int channels, int pixels, Tensor map, int iterations, Tensor scratch)
    {
        Require(channels > 0 && pixels > 0 && x.Length % (channels * pixels) == 0 && x.Length > 0,
            $"eigen projection: {x.Length} elements are not K matrices of {channels}x{pixels}");
        int k = x.Length / (channels * pixels);
        Require(map.Length == k * pixels, $"eigen projection: map of {map.Length} for {k} maps of {pixels} pixels");
        Require(iterations >= 1, "eigen projection: at least one power-iteration step");
        long need = IlgpuCamKernels.EigenScratch(k, channels, pixels);
        Require(scratch.Length >= need, $"eigen projection: scratch of {scratch.Length} < {need}");
        return k;
    }

    public static void MapRange(Tensor map, int pixels, Tensor range) =>
        Require(pixels > 0 && map.Length % pixels == 0 && range.Length == 2 * (map.Length / pixels),
            $"map range: {map.Length} values in maps of {pixels}, range of {range.Length}");

    public static void FeatureGrid(Tensor a, int height, int width, int count, int rows, int cols, Tensor grid, Tensor scratch)
    {
        Require(height > 0 && width > 0 && count > 0 && (long)count * height * width <= a.Length,
            $"feature grid: {count} channels of {height}x{width} from an activation of {a.Length}");
        Require(rows * cols >= count && grid.Length == rows * height * cols * width,
            $"feature grid: {rows}x{cols} cells for {count} channels, grid of {grid.Length}");
        Require(scratch.Length >= 2 * count, "feature grid: scratch holds a range per channel");
    }

    /// <summary>Guided gradients [K, C, H, W] times K cams upsampled; returns K.</summary>
    public static int GuidedProduct(Tensor gb, Tensor cam, int camHeight, int camWidth, Tensor output)
    {
        Require(gb.Rank == 4 && output.Length == gb.Length, $"guided Grad-CAM: guided gradient {Tensor.Format(gb.Shape)} must be [K, C, H, W] like the output");
        int k = gb.Shape[0];
        Require(camHeight > 0 && camWidth > 0 && cam.Length == k * camHeight * camWidth,
            $"guided Grad-CAM: cam of {cam.Length} is not {k} maps of {camHeight}x{camWidth}");
        return k;
    }

    /// <summary>Backward seeds for K targets of one output; returns K.</summary>
    public static int Seeds(Tensor output, Tensor table, Tensor scales, Tensor seed)
    {
        Require(output.Rank == 4 && output.Shape[0] == 1, $"seeds: output {Tensor.Format(output.Shape)} must be one image [1, C, ny, nx]");
        int k = scales.Length;
        Require(table.Length == 5 * k && seed.Length == k * output.Length, $"seeds: {k} targets, table of {table.Length}, seed of {seed.Length}");
        return k;
    }
}
