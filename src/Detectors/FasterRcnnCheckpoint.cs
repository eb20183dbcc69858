using NativeCam.Layers;
using NativeCam.Weights;

namespace NativeCam.Detectors;

/// <summary>
/// A torchvision Faster R-CNN state dict (any file <see cref="WeightFile.Load"/> reads: torch.save'd state dict,
/// training checkpoint <c>{'model': ...}</c>, DataParallel prefix, safetensors, .msgpack) with its architecture.
/// Keys are canonicalised to torchvision 0.14's spelling: the model hub's v1 weights predate Conv2dNormActivation
/// and spell <c>backbone.fpn.inner_blocks.0.weight</c> and <c>rpn.head.conv.weight</c>, which torchvision renames
/// on load to <c>….inner_blocks.0.0.weight</c> and <c>rpn.head.conv.0.0.weight</c>; so do we.
/// </summary>
public sealed record FasterRcnnCheckpoint(FasterRcnnArch Arch, IReadOnlyDictionary<string, HostTensor> Tensors)
{
    /// <summary>Reads and checks a weight file.</summary>
    public static FasterRcnnCheckpoint Load(string path)
    {
        var file = WeightFile.Load(path);
        return FromTensors(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));
    }

    /// <summary>Infers the architecture of named tensors.</summary>
    public static FasterRcnnCheckpoint FromTensors(IEnumerable<KeyValuePair<string, HostTensor>> tensors)
    {
        var canonical = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var (key, t) in tensors)
        {
            string name = Canonical(key);
            if (!canonical.TryAdd(name, t)) throw new InvalidDataException($"checkpoint has two tensors for '{name}' (one is '{key}')");
        }
        return new FasterRcnnCheckpoint(FasterRcnnArch.Infer(canonical.ToDictionary(p => p.Key, p => p.Value.Shape, StringComparer.Ordinal)), canonical);
    }

    /// <summary>torchvision 0.14's name of a key (the pre-0.13 FPN and RPN-head spellings renamed).</summary>
    public static string Canonical(string key)
    {
        foreach (var block in (string[])["backbone.fpn.inner_blocks.", "backbone.fpn.layer_blocks."])
            if (key.StartsWith(block, StringComparison.Ordinal))
            {
                var rest = key[block.Length..].Split('.');
                if (rest.Length == 2) return $"{block}{rest[0]}.0.{rest[1]}";
            }
        if (key is "rpn.head.conv.weight" or "rpn.head.conv.bias") return "rpn.head.conv.0.0." + key[(key.LastIndexOf('.') + 1)..];
        return key;
    }
}
