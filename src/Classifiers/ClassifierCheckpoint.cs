using NativeCam.Layers;
using NativeCam.Weights;
using NativeCam.Weights.Torch;

namespace NativeCam.Classifiers;

/// <summary>
/// A torchvision classifier's state dict with its architecture read from the keys and shapes
/// (<see cref="ArchInference"/>). Any weight file <see cref="WeightFile.Load"/> reads will do (zip or legacy
/// torch.save, safetensors, training checkpoints, DataParallel's prefix); DenseNet's legacy key spelling
/// (<c>denselayer1.norm.1.weight</c>) is renamed to the module paths (<c>denselayer1.norm1.weight</c>) by
/// <see cref="StateDictNames.DenseNetName"/>, for tensors given directly too.
/// </summary>
public sealed record ClassifierCheckpoint(ClassifierArch Arch, StateDict Weights, IReadOnlyDictionary<string, int[]> Shapes)
{
    /// <summary>Reads a torchvision state dict (<c>.pt</c>/<c>.pth</c> zip or a converted <c>.msgpack</c>). With
    /// <paramref name="arch"/> the layout must be that architecture (a torchvision name or a family name).</summary>
    public static ClassifierCheckpoint Load(string path, string? arch = null)
    {
        var file = WeightFile.Load(path);
        return FromTensors(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))), arch);
    }

    /// <summary>Infers the architecture of named tensors (checked against <paramref name="arch"/> when given).</summary>
    public static ClassifierCheckpoint FromTensors(IEnumerable<KeyValuePair<string, HostTensor>> tensors, string? arch = null)
    {
        var canonical = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var (key, t) in tensors)
        {
            string name = StateDictNames.DenseNetName(key);
            if (!canonical.TryAdd(name, t)) throw new InvalidDataException($"checkpoint has two tensors for '{name}' (one is '{key}')");
        }
        var shapes = canonical.ToDictionary(p => p.Key, p => p.Value.Shape, StringComparer.Ordinal);
        var inferred = ArchInference.Infer(shapes);
        if (arch != null) ArchInference.Check(inferred, arch);
        return new ClassifierCheckpoint(inferred, new StateDict(canonical), shapes);
    }
}
