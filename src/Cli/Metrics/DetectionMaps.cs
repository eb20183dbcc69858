using NativeCam.Cam;
using NativeCam.Cam.Metrics;
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
