using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// The persistent ids of a legacy torch.save pickle. <c>('storage', torch.FloatStorage, key, location, numel,
/// view)</c> names a storage whose bytes follow the pickles (view, from PyTorch before 0.4, is null or
/// <c>(view_key, offset, numel)</c>: a slice of that storage); <c>('module', cls, source_file, source)</c>
/// stands for a pickled module's class and resolves to the class name. Sizes are checked against the
/// file before anything is allocated.
/// </summary>
internal sealed class LegacyStorages(string source, long fileLength)
{
    private readonly Dictionary<string, TorchStorage> _roots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TorchStorage View, TorchStorage Root, long Offset)> _views = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, TorchStorage> Roots => _roots;

    public object Load(PyTuple pid)
    {
        if (pid.Count == 4 && pid[0] is "module" && pid[1] is PyGlobal cls) return cls;
        if (pid.Count != 6 || pid[0] is not "storage" || pid[1] is not PyGlobal type || pid[2] is not string key || pid[4] is not long count)
            throw new WeightFormatException($"{source}: the pickle has a persistent id that is not a storage reference");
        string dtype = DTypes.FromStorageClass(type.Module, type.Name)
            ?? throw new WeightFormatException($"{source}: unsupported storage type {type.FullName}");
        if (count < 0 || count > Array.MaxLength / DTypes.SizeOf(dtype) || count * DTypes.SizeOf(dtype) > fileLength)
            throw new WeightFormatException($"{source}: storage '{key}' declares {count} elements of {dtype}, more than the whole {fileLength}-byte file holds (size overflow, or a truncated file)");
        if (!_roots.TryGetValue(key, out var root))
            _roots[key] = root = new TorchStorage(key, dtype, count, pid[3] as string ?? "cpu");
        else if (root.DType != dtype || root.ElementCount != count)
            throw new WeightFormatException($"{source}: storage '{key}' is described twice, differently");
        return pid[5] switch
        {
            null => root,
            PyTuple { Count: 3 } view when view[0] is string viewKey && view[1] is long offset && view[2] is long size => View(root, viewKey, offset, size),
            var other => throw new WeightFormatException($"{source}: storage '{key}' has a view description that is not (key, offset, size): {PickleMachine.Describe(other)}"),
        };
    }

    /// <summary>Where each view's bytes start, relative to its root storage's first byte.</summary>
    public IEnumerable<(TorchStorage View, TorchStorage Root, long ByteOffset)> Views =>
        _views.Values.Select(v => (v.View, v.Root, v.Offset * v.Root.ElementSize));

    private TorchStorage View(TorchStorage root, string key, long offset, long size)
    {
        if (offset < 0 || size < 0 || offset > root.ElementCount - size)
            throw new WeightFormatException($"{source}: storage view '{key}' ({size} elements from {offset}) lies outside storage '{root.Key}' of {root.ElementCount} elements");
        if (_views.TryGetValue(key, out var known))
        {
            if (!ReferenceEquals(known.Root, root) || known.Offset != offset || known.View.ElementCount != size)
                throw new WeightFormatException($"{source}: storage view '{key}' is described twice, differently");
            return known.View;
        }
        var view = new TorchStorage(key, root.DType, size, root.Location);
        _views[key] = (view, root, offset);
        return view;
    }
}
