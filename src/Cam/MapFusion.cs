using NativeCam.Cam.Render;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Several layers' maps of the same K targets as one map per target: each layer's map [K, h_i, w_i] bilinearly
/// resized to [K, H, W] (the network input), min-max normalised per target (an empty map stays zero), and the layers
/// averaged, so a coarse and a fine layer count alike (docs/cam.md, "Fused layers"). On the device.
/// </summary>
public static class MapFusion
{
    /// <summary>The mean of the normalised maps, [K, <paramref name="height"/>, <paramref name="width"/>].</summary>
    public static Tensor Fuse(IReadOnlyList<Tensor> maps, int height, int width)
    {
        if (maps.Count == 0) throw new ArgumentException("map fusion: no maps");
        int k = maps[0].Shape[0];
        if (maps.Any(m => m.Rank != 3 || m.Shape[0] != k))
            throw new ArgumentException($"map fusion: maps {string.Join(", ", maps)} are not all [{k}, h, w]");
        var device = maps[0].Device;
        var fused = Tensor.Zeros(device, k, height, width);
        try
        {
            using var resized = Tensor.Empty(device, k, height, width);
            using var stats = Tensor.Empty(device, k, 3);
            foreach (var m in maps)
            {
                HeatmapKernels.ResizeBilinear(m, resized);
                HeatmapKernels.MinMax(resized, stats);
                HeatmapKernels.Normalize(resized, stats, resized);
                device.Backend.Accumulate(resized, fused);
            }
            device.Backend.Unary(UnaryOp.Scale, fused, fused, 1f / maps.Count);
            return fused;
        }
        catch
        {
            fused.Dispose();
            throw;
        }
    }
}
