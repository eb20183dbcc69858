using NativeCam.Weights;

namespace NativeCam.Layers;

/// <summary>
/// Named weights of a model (PyTorch's state_dict: <c>model.17.cv3.conv.weight</c> → tensor). Modules take
/// their weights by name while a model is built; <see cref="Unused"/> then lists what nothing took, so a
/// builder can refuse a checkpoint whose layers it did not understand instead of running a wrong network.
/// </summary>
public sealed class StateDict
{
    readonly Dictionary<string, HostTensor> _tensors;
    readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    readonly Func<string, int[], HostTensor>? _generate;

    public StateDict(IEnumerable<KeyValuePair<string, HostTensor>> tensors) =>
        _tensors = new Dictionary<string, HostTensor>(tensors, StringComparer.Ordinal);

    StateDict(Func<string, int[], HostTensor> generate) : this([]) => _generate = generate;

    /// <summary>
    /// Every tensor of a weight file as float32, by its state_dict name: one line for a family to read any
    /// format <see cref="WeightFile.Load"/> does (.msgpack; zip or legacy .pt/.pth state dicts, training
    /// checkpoints and pickled modules; .safetensors). Its <see cref="WeightFile.Metadata"/> says how the
    /// tensors were found (<see cref="WeightMetadata.Source"/>).
    /// </summary>
    public static StateDict FromWeights(WeightFile file) =>
        new(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));

    /// <summary><see cref="FromWeights"/> of <see cref="WeightFile.Load"/>(<paramref name="path"/>).</summary>
    public static StateDict Load(string path) => FromWeights(WeightFile.Load(path));

    /// <summary>
    /// A state dict that makes every required tensor on request from its name and expected shape
    /// (random weights for benchmarks and architecture checks); optional tensors such as biases stay absent.
    /// </summary>
    public static StateDict Generated(Func<string, int[], HostTensor> generate) => new(generate);

    public IReadOnlyCollection<string> Keys => _tensors.Keys;

    /// <summary>True for a <see cref="Generated"/> state dict, which makes its tensors on request.</summary>
    public bool IsGenerated => _generate != null;

    /// <summary>How many values its tensors hold together.</summary>
    public long ValueCount => _tensors.Values.Sum(t => (long)t.Length);

    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/> with the expected shape (null: any shape).</summary>
    public HostTensor Take(string name, params int[]? shape)
    {
        if (!_tensors.TryGetValue(name, out var t))
        {
            if (_generate is null || shape is not { Length: > 0 }) throw new InvalidDataException($"checkpoint has no tensor '{name}'");
            _tensors[name] = t = _generate(name, shape);
        }
        if (shape is { Length: > 0 } && !t.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", t.Shape)}], the network expects [{string.Join(", ", shape)}]");
        _taken.Add(name);
        return t;
    }

    /// <summary>Like <see cref="Take"/> for an optional tensor (a bias); null if absent.</summary>
    public HostTensor? TakeOptional(string name) => Contains(name) ? Take(name, null) : null;

    /// <summary>Names no module took, in checkpoint order (BatchNorm step counters are ignored: they do not affect inference).</summary>
    public IReadOnlyList<string> Unused => _tensors.Keys
        .Where(k => !_taken.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
        .ToList();
}
