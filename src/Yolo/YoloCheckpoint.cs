using NativeCam.Layers;
using NativeCam.Weights;

namespace NativeCam.Yolo;

/// <summary>What the builder needs from a YOLOv5 checkpoint: its yaml, weights, module records and class names.</summary>
public sealed record YoloCheckpoint(
    YoloConfig Config,
    StateDict Weights,
    IReadOnlyDictionary<string, ModuleInfo> Modules,
    IReadOnlyList<string> ClassNames)
{
    /// <summary>Reads a YOLOv5 <c>.pt</c> checkpoint (converted in memory) or a converted <c>.msgpack</c> file.</summary>
    public static YoloCheckpoint Load(string path) => FromWeights(WeightFile.Load(path), Path.GetFileName(path));

    public static YoloCheckpoint FromWeights(WeightFile file, string name)
    {
        var meta = file.Metadata;
        if (meta.Architecture != ArchitectureKinds.Yolov5)
            throw new InvalidDataException($"{name} is not a YOLOv5 checkpoint (architecture: {meta.Architecture})");
        var twice = file.Tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidDataException($"{name} holds tensor '{twice.Key}' more than once");
        var weights = new StateDict(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));
        var modules = meta.Modules.ToDictionary(m => m.Key, m => new ModuleInfo(m.Value.ClassName, m.Value.Attributes));
        return new YoloCheckpoint(YoloConfig.FromTree(meta.Config), weights, modules, meta.ClassNames);
    }
}
