using NativeCam.Weights.Format;
using NativeCam.Weights.Torch;

namespace NativeCam.Weights;

/// <summary>
/// A network's weights on the host: metadata plus tensors in state_dict order. <see cref="Load"/>
/// reads a NativeCam weight file or converts a PyTorch checkpoint in memory; the content is
/// recognised by its first bytes, never by the file extension.
/// </summary>
public sealed class WeightFile(WeightMetadata metadata, IReadOnlyList<WeightTensor> tensors)
{
    private readonly Dictionary<string, WeightTensor> _byName = IndexByName(tensors);

    public WeightMetadata Metadata { get; } = metadata;
    public IReadOnlyList<WeightTensor> Tensors { get; } = tensors;

    /// <summary>The tensor with this state_dict name; throws a KeyNotFoundException naming it when absent.</summary>
    public WeightTensor this[string name] => _byName.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"no tensor named '{name}' in the weights ({Tensors.Count} tensors)");

    public bool TryGetTensor(string name, out WeightTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>Loads a .msgpack weight file or a PyTorch .pt checkpoint (converted in memory with <paramref name="options"/>).</summary>
    public static WeightFile Load(string path, ConvertOptions? options = null)
    {
        options ??= ConvertOptions.Default;
        return WeightFileFormat.Detect(path) switch
        {
            WeightFileKind.NativeCam => WeightFileReader.Read(path),
            WeightFileKind.TorchZip => LoadCheckpoint(path, options),
            var other => throw WeightFileFormat.Unsupported(path, other),
        };
    }

    private static Dictionary<string, WeightTensor> IndexByName(IReadOnlyList<WeightTensor> tensors)
    {
        var index = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var t in tensors) index.TryAdd(t.Name, t);
        return index;
    }

    private static WeightFile LoadCheckpoint(string path, ConvertOptions options)
    {
        using var checkpoint = TorchCheckpoint.Open(path);
        var tensors = new List<WeightTensor>(checkpoint.Tensors.Count);
        checkpoint.ReadTensors(options, (name, dtype, shape, data) => tensors.Add(new WeightTensor(name, dtype, shape, data.ToArray())));
        return new WeightFile(checkpoint.Metadata, tensors);
    }
}
