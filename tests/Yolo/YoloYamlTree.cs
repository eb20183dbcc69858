using NativeCam.Layers;
using NativeCam.Tests.Weights;
using NativeCam.Weights;
using NativeCam.Yolo;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The bundled yolov5n's yaml tree (as the checkpoint reader gives it) and weights, read once; each call to
/// <see cref="Fresh"/> returns a deep copy to mutate, and <see cref="Weights"/> a fresh state dict of the real tensors.
/// </summary>
public static class YoloYamlTree
{
    static readonly Lazy<WeightFile> File = new(() => WeightFile.Load(TestPaths.YoloV5n));
    static readonly Lazy<KeyValuePair<string, HostTensor>[]> Tensors = new(() =>
        File.Value.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))).ToArray());

    public static WeightFile Checkpoint => File.Value;

    /// <summary>A deep copy of yolov5n's yaml: dictionaries and lists, numbers, strings.</summary>
    public static Dictionary<string, object?> Fresh() => (Dictionary<string, object?>)Copy(File.Value.Metadata.Config)!;

    public static StateDict Weights() => new(Tensors.Value);

    /// <summary>yolov5n's real weights and module records under the config read from <paramref name="tree"/>.</summary>
    public static YoloCheckpoint WithRealWeights(object? tree)
    {
        var meta = File.Value.Metadata;
        var modules = meta.Modules.ToDictionary(m => m.Key, m => new ModuleInfo(m.Value.ClassName, m.Value.Attributes));
        return new YoloCheckpoint(YoloConfig.FromTree(tree), Weights(), modules, meta.ClassNames);
    }

    /// <summary>The rows of the backbone then the head, as one list (yaml layer i is <c>Rows(tree)[i]</c>).</summary>
    public static List<object?> Row(Dictionary<string, object?> tree, int layer)
    {
        var backbone = (List<object?>)tree["backbone"]!;
        return (List<object?>)(layer < backbone.Count ? backbone[layer] : ((List<object?>)tree["head"]!)[layer - backbone.Count])!;
    }

    /// <summary>A row's args list.</summary>
    public static List<object?> Args(Dictionary<string, object?> tree, int layer) => (List<object?>)Row(tree, layer)[3]!;

    static object? Copy(object? o) => o switch
    {
        IReadOnlyDictionary<string, object?> d => d.ToDictionary(p => p.Key, p => Copy(p.Value)),
        System.Collections.IList l => l.Cast<object?>().Select(Copy).ToList(),
        _ => o,
    };
}
