using NativeCam.Cam;
using NativeCam.Yolo;

namespace NativeCam.Cli.Metrics;

/// <summary>
/// Where a detection's map is taken in a study: <c>auto</c> (each detection at the layer feeding its own Detect
/// level), one layer (<c>model.4</c>), or several fused (<c>fuse:model.4+model.6</c>: <see cref="MapFusion"/>).
/// </summary>
public sealed record LayerSpec(string Text, IReadOnlyList<string> Layers, bool Auto)
{
    /// <summary>Parses one spec; layer names are normalised to the tape's spelling.</summary>
    public static LayerSpec Parse(string text)
    {
        text = text.Trim();
        if (text.Equals(CamRequest.Auto, StringComparison.OrdinalIgnoreCase)) return new(CamRequest.Auto, [], true);
        if (text.StartsWith("fuse:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text[5..].Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length < 2) throw new CliError($"layer spec '{text}': fuse needs two or more layers (fuse:model.4+model.6)");
            var layers = parts.Select(YoloModel.NormalizeLayerName).ToArray();
            return new("fuse:" + string.Join("+", layers), layers, false);
        }
        var name = YoloModel.NormalizeLayerName(text);
        return new(name, [name], false);
    }

    /// <summary>The layers a <see cref="CamRequest"/> must compute for this spec.</summary>
    public IEnumerable<string> Requested => Auto ? [CamRequest.Auto] : Layers;
}
