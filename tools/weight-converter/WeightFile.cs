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

    /// <summary>
    /// The one entry point for weights: a NativeCam .msgpack file, or any checkpoint NativeCam reads safely
    /// (a PyTorch zip or legacy .pt/.pth, a .safetensors file; a state dict, a training checkpoint wrapping
    /// one, or a whole pickled module), converted in memory with <paramref name="options"/>. Tensors come
    /// under today's state_dict names ("module." taken off, old DenseNet names renamed);
    /// <see cref="WeightMetadata.Source"/> says how they were found.
    /// </summary>
    public static WeightFile Load(string path, ConvertOptions? options = null)
    {
        options ??= ConvertOptions.Default;
        return WeightFileFormat.Detect(path) switch
        {
            WeightFileKind.NativeCam => WeightFileReader.Read(path),
            WeightFileKind.Unknown => throw WeightFileFormat.Unsupported(path),
            _ => LoadCheckpoint(path, options),
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
