namespace NativeCam.Weights.Pickle;

// Python values as the pickle machine builds them. They are plain data: nothing here can run code.
// Scalars map to .NET types: None -> null, bool, int -> long (or BigInteger), float -> double,
// str -> string, bytes -> byte[], list -> List<object?>.

/// <summary>A reference to `module.name`, as GLOBAL pushes it. Only a name; never resolved to code.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>An immutable Python tuple.</summary>
public sealed class PyTuple(object?[] items)
{
    public static readonly PyTuple Empty = new([]);
    public object?[] Items { get; } = items;
    public int Count => Items.Length;
    public object? this[int index] => Items[index];
}

/// <summary>A Python set (or frozenset), kept in insertion order.</summary>
public sealed class PySet
{
    public List<object?> Items { get; } = [];
}

/// <summary>
/// An instance of a class named by the file (e.g. models.yolo.Model, torch.nn.Conv2d), as an inert
/// record: the class name, the NEWOBJ arguments and the BUILD state. No constructor ever runs.
/// </summary>
public sealed class PyObject(PyGlobal type, PyTuple args)
{
    public PyGlobal Type { get; } = type;
    public PyTuple Args { get; } = args;
    public object? State { get; set; }

    /// <summary>The state as a dict (the usual `__dict__` case), or null.</summary>
    public PyDict? StateDict => State as PyDict;
    public override string ToString() => $"<{Type.FullName} object>";
}
