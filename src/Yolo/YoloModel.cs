using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// A YOLOv5 network built from a checkpoint's own yaml (so n/s/m/l/x and any class count load alike),
/// with weights copied by module path. <see cref="Forward"/> returns the raw Detect outputs, one per level,
/// [N, na·(nc+5), H/stride, W/stride]; every layer's output is named on the tape by its PyTorch path
/// (<c>model.17</c>, <c>model.17.cv3.act</c>, ...) so CAM can watch it.
/// </summary>
public sealed class YoloModel : IDisposable
{
    readonly List<Module> _modules = [];

    YoloModel(YoloConfig config, IReadOnlyList<string> names, IReadOnlyList<YoloLayer> layers, Detect detect)
    {
        Config = config;
        ClassNames = names;
        Layers = layers;
        Head = detect;
        _modules.AddRange(layers.Select(l => l.Module).OfType<Module>());
    }

    public YoloConfig Config { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<YoloLayer> Layers { get; }
    public Detect Head { get; }

    /// <summary>
    /// Builds the network on <paramref name="device"/> after validating the whole yaml (<see cref="YoloConfig.Validate"/>);
    /// unknown modules, malformed rows and unused weights are one-line <see cref="InvalidDataException"/>s.
    /// </summary>
    public static YoloModel Build(Device device, YoloCheckpoint checkpoint)
    {
        var cfg = checkpoint.Config;
        double parameters = YoloConfigValidator.Check(cfg);
        if (!checkpoint.Weights.IsGenerated && parameters > checkpoint.Weights.ValueCount)
            throw new InvalidDataException($"the yaml describes a network of at least {parameters:0} parameters but the checkpoint holds only {checkpoint.Weights.ValueCount} values");
        var ctx = new BuildContext(device, checkpoint.Weights, checkpoint.Modules);
        var layers = new List<YoloLayer>();
        var channels = new List<int>();
        Detect? detect = null;
        try
        {
            foreach (var spec in cfg.Layers)
            {
                var layer = YoloLayerFactory.Create(ctx, cfg, spec, channels);
                layers.Add(layer);
                channels.Add(layer.OutChannels);
                if (layer.Module is Detect d) detect = d;
            }
            if (detect is null) throw new InvalidDataException("the yaml has no Detect layer");
            if (layers[^1].Module != detect) throw new InvalidDataException("Detect must be the last layer");
            var unused = checkpoint.Weights.Unused;
            if (unused.Count > 0)
                throw new InvalidDataException($"checkpoint tensors not used by the network: {string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", ..." : "")}");
            var names = checkpoint.ClassNames.Count == cfg.Classes
                ? checkpoint.ClassNames
                : Enumerable.Range(0, cfg.Classes).Select(i => $"class{i}").ToArray();
            return new YoloModel(cfg, names, layers, detect);
        }
        catch
        {
            foreach (var l in layers) l.Module?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the network on a letterboxed [N, 3, H, W] input (H, W multiples of the largest stride).</summary>
    public Var[] Forward(Var input) =>
        LayerGraph.Forward(Layers, input, layer => layer.Module is Detect d ? levels => d.Forward(levels) : null);

    /// <summary>Accepts the seed tools' underscore spelling (<c>model_17_cv3_act</c>) as well as module paths.</summary>
    public static string NormalizeLayerName(string name) =>
        name.Contains('.') ? name : name.Replace('_', '.');

    public void Dispose()
    {
        foreach (var m in _modules) m.Dispose();
        _modules.Clear();
    }
}
