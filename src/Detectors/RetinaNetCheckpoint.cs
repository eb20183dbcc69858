using System.Text.RegularExpressions;
using NativeCam.Layers;
using NativeCam.Weights;

namespace NativeCam.Detectors;

/// <summary>
/// A torchvision RetinaNet state dict (any file <see cref="WeightFile.Load"/> reads) with its architecture. Keys are
/// canonicalised to torchvision 0.14's spelling: the FPN's pre-0.13 names as for Faster R-CNN
/// (<see cref="FasterRcnnCheckpoint.Canonical"/>), and the model hub's v1 head, whose towers were a flat Sequential of
/// conv and ReLU (<c>head.classification_head.conv.2.weight</c>), renamed as torchvision's _v1_to_v2_weights does
/// (<c>conv.2i.*</c> → <c>conv.i.0.*</c>).
/// </summary>
public sealed partial record RetinaNetCheckpoint(RetinaNetArch Arch, IReadOnlyDictionary<string, HostTensor> Tensors)
{
    /// <summary>Reads and checks a weight file.</summary>
    public static RetinaNetCheckpoint Load(string path)
    {
        var file = WeightFile.Load(path);
        return FromTensors(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));
    }

    /// <summary>Infers the architecture of named tensors.</summary>
    public static RetinaNetCheckpoint FromTensors(IEnumerable<KeyValuePair<string, HostTensor>> tensors)
    {
        var canonical = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var (key, t) in tensors)
        {
            string name = Canonical(key);
            if (!canonical.TryAdd(name, t)) throw new InvalidDataException($"checkpoint has two tensors for '{name}' (one is '{key}')");
        }
        return new RetinaNetCheckpoint(RetinaNetArch.Infer(canonical.ToDictionary(p => p.Key, p => p.Value.Shape, StringComparer.Ordinal)), canonical);
    }

    /// <summary>torchvision 0.14's name of a key.</summary>
    public static string Canonical(string key)
    {
        var m = OldHeadKey().Match(key);
        if (m.Success) return $"{m.Groups[1].Value}conv.{int.Parse(m.Groups[2].Value) / 2}.0.{m.Groups[3].Value}";
        return FasterRcnnCheckpoint.Canonical(key);
    }

    [GeneratedRegex(@"^(head\.(?:classification|regression)_head\.)conv\.([0-9]*[02468])\.(weight|bias)$")]
    private static partial Regex OldHeadKey();
}
