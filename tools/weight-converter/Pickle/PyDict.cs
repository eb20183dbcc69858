namespace NativeCam.Weights.Pickle;

/// <summary>
/// A Python dict (or OrderedDict) that keeps insertion order, as Python does. Attributes holds the
/// instance `__dict__` that BUILD gives an OrderedDict (e.g. a state_dict's `_metadata`), kept
/// apart from the items.
/// </summary>
public sealed class PyDict
{
    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = [];

    public PyDict? Attributes { get; set; }
    public int Count => _entries.Count;
    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    public void Set(object? key, object? value)
    {
        if (key is null) throw new WeightFormatException("data.pkl uses None as a dictionary key, which is not supported");
        if (_index.TryGetValue(key, out int at)) _entries[at] = new(key, value);
        else
        {
            _index[key] = _entries.Count;
            _entries.Add(new(key, value));
        }
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int at))
        {
            value = _entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The value under a string key, or null when absent.</summary>
    public object? Get(string key) => TryGet(key, out var v) ? v : null;

    public bool ContainsKey(string key) => _index.ContainsKey(key);
}
