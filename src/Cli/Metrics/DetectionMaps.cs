using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Render;
using NativeCam.Tensors;
using NativeCam.Imaging;

namespace NativeCam.Cli.Metrics;

/// <summary>Each detection's map at the original image's size, for one method and one <see cref="LayerSpec"/>.</summary>
public sealed class DetectionMaps(CamResult result, LetterboxInfo letterbox)
{
    readonly Dictionary<(CamMethod, string), float[][]> _cache = [];

    /// <summary>Row k: detection k's map, [imageHeight · imageWidth] row-major.</summary>
    public float[][] For(CamMethod method, LayerSpec spec)
    {
        int k = result.TargetLayers.Count;
        if (spec.Auto) return Enumerable.Range(0, k).Select(i => At(method, result.TargetLayers[i])[i]).ToArray();
        if (spec.Layers.Count == 1) return At(method, spec.Layers[0]);
        using var fused = MapFusion.Fuse(spec.Layers.Select(l => result[method, l].Map).ToArray(), letterbox.InputHeight, letterbox.InputWidth);
        return ImageMaps.ToImage(fused, letterbox);
    }

    /// <summary>Row k: detection k's map at the network input, [inputHeight · inputWidth], scaled to [0, 1] as
    /// pytorch-grad-cam's scale_cam_image (what the faithfulness metrics perturb with).</summary>
    public float[][] ForInput(CamMethod method, LayerSpec spec)
    {
        int k = result.TargetLayers.Count, plane = letterbox.InputHeight * letterbox.InputWidth;
        float[][] rows;
        if (spec.Auto) rows = Enumerable.Range(0, k).Select(i => Input(result[method, result.TargetLayers[i]].Map)[i]).ToArray();
        else if (spec.Layers.Count == 1) rows = Input(result[method, spec.Layers[0]].Map);
        else
        {
            using var fused = MapFusion.Fuse(spec.Layers.Select(l => result[method, l].Map).ToArray(), letterbox.InputHeight, letterbox.InputWidth);
            var all = fused.ToArray();
            rows = Enumerable.Range(0, k).Select(i => all.AsSpan(i * plane, plane).ToArray()).ToArray();
        }
        return rows.Select(MapAggregation.Scale).ToArray();
    }

    // Maps [K, h, w] bilinear to the network input, as host rows.
    float[][] Input(Tensor maps)
    {
        int k = maps.Shape[0], plane = letterbox.InputHeight * letterbox.InputWidth;
        using var input = Tensor.Empty(maps.Device, k, letterbox.InputHeight, letterbox.InputWidth);
        HeatmapKernels.ResizeBilinear(maps, input);
        var all = input.ToArray();
        return Enumerable.Range(0, k).Select(i => all.AsSpan(i * plane, plane).ToArray()).ToArray();
    }

    /// <summary>Forgets the upsampled maps of one method (they are large: K × image pixels per layer).</summary>
    public void Release(CamMethod method)
    {
        foreach (var key in _cache.Keys.Where(key => key.Item1 == method).ToList()) _cache.Remove(key);
    }

    float[][] At(CamMethod method, string layer)
    {
        if (!_cache.TryGetValue((method, layer), out var maps))
            _cache[(method, layer)] = maps = ImageMaps.ToImage(result[method, layer].Map, letterbox);
        return maps;
    }
}
