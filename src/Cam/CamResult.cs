using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// One method's raw maps at one layer for all K targets: <see cref="Map"/> [K, h, w] (≥ 0, not normalised:
/// the renderer normalises) and <see cref="Range"/> [K, 2] (min, max of each map), both on the device.
/// </summary>
public sealed class CamMap(string layer, CamMethod method, Tensor map, Tensor range) : IDisposable
{
    public string Layer { get; } = layer;
    public CamMethod Method { get; } = method;
    public Tensor Map { get; } = map;
    public Tensor Range { get; } = range;
    public int Targets => Map.Shape[0];
    public int Height => Map.Shape[1];
    public int Width => Map.Shape[2];

    /// <summary>Copies the maps and ranges to the host (waits for the device).</summary>
    public HostCamMap ToHost()
    {
        var data = Map.ToArray();
        var range = Range.ToArray();
        int n = Height * Width;
        var maps = Enumerable.Range(0, Targets).Select(k => data.AsSpan(k * n, n).ToArray()).ToArray();
        return new HostCamMap(Layer, Method, Height, Width, maps,
            Enumerable.Range(0, Targets).Select(k => range[2 * k]).ToArray(),
            Enumerable.Range(0, Targets).Select(k => range[2 * k + 1]).ToArray());
    }

    public void Dispose()
    {
        Map.Dispose();
        Range.Dispose();
    }
}

/// <summary>Host copy of a <see cref="CamMap"/>: per target a row-major [h, w] map, its min and max.</summary>
public sealed record HostCamMap(string Layer, CamMethod Method, int Height, int Width, float[][] Maps, float[] Min, float[] Max)
{
    /// <summary>Whether target k's map is all zero (no gradient reached the layer, or nothing was positive):
    /// a renderer shows it as blank instead of dividing by a zero range.</summary>
    public bool Empty(int k) => !(Max[k] > 0);
}

/// <summary>Everything one <see cref="CamEngine.Compute"/> produced. Owns its device tensors.</summary>
public sealed class CamResult : IDisposable
{
    readonly Dictionary<(CamMethod, string), CamMap> _maps;

    internal CamResult(IReadOnlyList<CamMap> maps, IReadOnlyList<string> targetLayers, Tensor? guidedBackprop,
        IReadOnlyDictionary<string, Tensor> guidedGradCam)
    {
        Maps = maps;
        _maps = maps.ToDictionary(m => (m.Method, m.Layer));
        TargetLayers = targetLayers;
        GuidedBackprop = guidedBackprop;
        GuidedGradCam = guidedGradCam;
    }

    /// <summary>Wall time of the backward sweep(s) (seeds included) and of the map kernels, each up to a device sync.</summary>
    public double BackwardMs { get; init; }
    public double MapsMs { get; init; }

    /// <summary>One entry per (method, layer), methods in request order, layers in resolved order.</summary>
    public IReadOnlyList<CamMap> Maps { get; }

    /// <summary>Per target, the layer <see cref="CamRequest.Auto"/> picks for it (the family's default: YOLO, the C3 output feeding its Detect level).</summary>
    public IReadOnlyList<string> TargetLayers { get; }

    /// <summary>Guided backprop: the input gradient [K, 3, H, W] of each target's score, or null if not requested.</summary>
    public Tensor? GuidedBackprop { get; }

    /// <summary>Guided Grad-CAM per layer: [K, 3, H, W] = guided backprop ⊙ bilinear-upsampled Grad-CAM map.</summary>
    public IReadOnlyDictionary<string, Tensor> GuidedGradCam { get; }

    public CamMap this[CamMethod method, string layer] => _maps.TryGetValue((method, layer), out var m) ? m
        : throw new KeyNotFoundException($"no {method} map at {layer} (have: {string.Join(", ", _maps.Keys)})");

    /// <summary>Host copies of all maps.</summary>
    public IReadOnlyList<HostCamMap> ToHost() => Maps.Select(m => m.ToHost()).ToArray();

    public void Dispose()
    {
        foreach (var m in Maps) m.Dispose();
        GuidedBackprop?.Dispose();
        foreach (var t in GuidedGradCam.Values) t.Dispose();
    }
}
