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

    /// <summary>
    /// Several layers' maps of one method as one map per target at [K, <paramref name="height"/>, <paramref name="width"/>] by
    /// <paramref name="rule"/> (docs/cam.md, "Multi-layer fusion"), on the host from the maps' host copies:
    /// <see cref="FusionRule.Mean"/> is pytorch-grad-cam's aggregate_multi_layers (<see cref="MapAggregation.Final"/>),
    /// <see cref="FusionRule.LayerCam"/> LayerCAM's (Jiang et al. 2021, Eq. 9, as torchcam's LayerCAM.fuse_cams): each map
    /// min-max normalised (m − min) / (max(m − min) + 1e-8), scaled by tanh(2 m), resized (bilinear, half-pixel centres),
    /// the element-wise maximum over layers.
    /// </summary>
    public static Tensor Fuse(IReadOnlyList<CamMap> maps, int height, int width, FusionRule rule)
    {
        if (maps.Count == 0) throw new ArgumentException("map fusion: no maps");
        var hosts = maps.Select(m => m.ToHost()).ToArray();
        int k = hosts[0].Maps.Length, p = height * width;
        var fused = new float[k * p];
        for (int t = 0; t < k; t++)
        {
            var layers = hosts.Select(h => (h.Maps[t], h.Height, h.Width)).ToList();
            var row = rule == FusionRule.Mean ? MapAggregation.Final(layers, height, width) : LayerCamFusion(layers, height, width);
            row.CopyTo(fused, t * p);
        }
        return Tensor.FromArray(maps[0].Map.Device, fused, [k, height, width]);
    }

    // LayerCAM's fusion of one target's layer maps: max over layers of resize(tanh(2 · normalise(m))).
    static float[] LayerCamFusion(IReadOnlyList<(float[] Map, int Height, int Width)> layers, int height, int width)
    {
        var fused = new float[height * width];
        Array.Fill(fused, float.NegativeInfinity);
        foreach (var (map, h, w) in layers)
        {
            float min = map.Min();
            float max = map.Max(v => v - min);
            var scaled = map.Select(v => MathF.Tanh(2 * ((v - min) / (max + 1e-8f)))).ToArray();
            var resized = MapAggregation.Resize(scaled, h, w, height, width);
            for (int i = 0; i < fused.Length; i++) fused[i] = Math.Max(fused[i], resized[i]);
        }
        return fused;
    }
}

/// <summary>How several layers' maps become one (<see cref="MapFusion.Fuse(IReadOnlyList{CamMap}, int, int, FusionRule)"/>).</summary>
public enum FusionRule
{
    /// <summary>pytorch-grad-cam's aggregate_multi_layers: per-layer min-max scaling, resize, mean, min-max scaling.</summary>
    Mean,
    /// <summary>LayerCAM's: per-layer normalisation, tanh(2·), resize, element-wise maximum.</summary>
    LayerCam,
}
