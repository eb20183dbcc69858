using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// An Ultralytics YOLOv8 network rebuilt from the checkpoint's own yaml as <c>parse_model</c> does: widths
/// <c>ceil(min(c, max_channels)·width/8)·8</c>, repeats <c>max(round(n·depth), 1)</c> (C2f takes it as its
/// inner depth), weights by module path. <see cref="Forward(Var)"/> returns the Detect head's per-level outputs.
/// </summary>
public sealed class Yolov8Model : IDisposable
{
    readonly List<Module> _modules;

    Yolov8Model(Yolov8Config config, IReadOnlyList<string> names, IReadOnlyList<YoloLayer> layers, DetectV8 head)
    {
        (Config, ClassNames, Layers, Head) = (config, names, layers, head);
        _modules = layers.Select(l => l.Module).OfType<Module>().ToList();
    }

    public Yolov8Config Config { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<YoloLayer> Layers { get; }
    public DetectV8 Head { get; }

    /// <summary>Builds the network; unknown modules, malformed rows and unused or missing weights are one-line errors.</summary>
    public static Yolov8Model Build(Device device, Yolov8Config cfg, StateDict weights,
        IReadOnlyDictionary<string, ModuleInfo> modules, IReadOnlyList<string> classNames)
    {
        var ctx = new BuildContext(device, weights, modules);
        var layers = new List<YoloLayer>();
        var channels = new List<int>();
        try
        {
            foreach (var spec in cfg.Layers)
            {
                var layer = Yolov8LayerFactory.Create(ctx, cfg, spec, channels);
                layers.Add(layer);
                channels.Add(layer.OutChannels);
                if (layer.Module is DetectV8 && spec.Index != cfg.Layers.Count - 1)
                    throw new InvalidDataException($"layer {spec.Index}: Detect must be the last layer");
            }
            if (layers[^1].Module is not DetectV8 head) throw new InvalidDataException("the yaml's last layer is not Detect");
            var unused = weights.Unused;
            if (unused.Count > 0)
                throw new InvalidDataException($"checkpoint tensors not used by the network: {string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", ..." : "")}");
            var names = classNames.Count == cfg.Classes ? classNames : Enumerable.Range(0, cfg.Classes).Select(i => $"class{i}").ToArray();
            return new Yolov8Model(cfg, names, layers, head);
        }
        catch
        {
            foreach (var l in layers) l.Module?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the network on a letterboxed [N, 3, H, W] input (H, W multiples of 32).</summary>
    public Var[] Forward(Var input) => Forward(input, out _);

    /// <summary><see cref="Forward(Var)"/>, also handing out Detect's per-level class logits [N, nc, H, W]
    /// (<see cref="DetectV8.Forward(IReadOnlyList{Var}, out Var[])"/>).</summary>
    public Var[] Forward(Var input, out Var[] classLogits)
    {
        Var[] logits = [];
        var outputs = LayerGraph.Forward(Layers, input, layer => layer.Module is DetectV8 d ? levels => d.Forward(levels, out logits) : null);
        classLogits = logits;
        return outputs;
    }

    public void Dispose()
    {
        foreach (var m in _modules) m.Dispose();
        _modules.Clear();
    }
}
