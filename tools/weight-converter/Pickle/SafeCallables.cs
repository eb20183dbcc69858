using NativeCam.Weights.Torch;

namespace NativeCam.Weights.Pickle;

/// <summary>
/// The allow-list: the only callables a checkpoint may invoke, each implemented here in C# as pure
/// data construction. There is no reflection and no lookup of names from the file:
/// <list type="bullet">
/// <item>REDUCE (a function call) works for the tensor rebuilders, OrderedDict, set/frozenset,
/// torch.Size, copyreg's plain object reconstruction, numpy array/scalar/dtype reconstruction (as
/// inert records) and _codecs.encode(text, 'latin1') (how protocol 2 spells bytes); any other
/// name is refused.</item>
/// <item>NEWOBJ (cls.__new__) of any class yields an inert <see cref="PyObject"/> record.</item>
/// <item>BUILD stores the state on such a record; it never calls __setstate__.</item>
/// </list>
/// </summary>
public static class SafeCallables
{
    public static object? Call(object? callable, object? args)
    {
        if (callable is not PyGlobal f) throw new RefusedCallException(PickleMachine.Describe(callable));
        var a = args as PyTuple ?? throw new WeightFormatException($"data.pkl calls {f.FullName} with {PickleMachine.Describe(args)} instead of an argument tuple");
        return f.FullName switch
        {
            "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" => RebuildTensor(a),
            "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" =>
                Arg<TorchTensor>(a, 0, f.FullName),
            "collections.OrderedDict" => NewOrderedDict(a),
            "builtins.set" or "__builtin__.set" or "builtins.frozenset" or "__builtin__.frozenset" => NewSet(a),
            "torch.Size" => a.Count == 1 && a[0] is PyTuple size ? size : PyTuple.Empty,
            "copyreg._reconstructor" or "copy_reg._reconstructor" =>
                new PyObject(Arg<PyGlobal>(a, 0, f.FullName), PyTuple.Empty) { State = a.Count > 2 ? a[2] : null },
            // numpy values in training checkpoints (e.g. YOLOv5's best_fitness): kept as inert records, never rebuilt.
            "numpy.core.multiarray._reconstruct" or "numpy._core.multiarray._reconstruct" or "numpy.dtype"
                or "numpy.core.multiarray.scalar" or "numpy._core.multiarray.scalar" => new PyObject(f, a),
            "_codecs.encode" => Latin1Bytes(a),
            _ => throw new RefusedCallException(f.FullName),
        };
    }

    /// <summary>NEWOBJ: `cls.__new__(cls, *args)`. Known containers become containers; any other class an inert record.</summary>
    public static object New(object? type, object? args)
    {
        if (type is not PyGlobal cls) throw new RefusedCallException(PickleMachine.Describe(type));
        var a = args as PyTuple ?? PyTuple.Empty;
        return cls.FullName switch
        {
            "collections.OrderedDict" or "builtins.dict" or "__builtin__.dict" => new PyDict(),
            "builtins.set" or "__builtin__.set" => new PySet(),
            "builtins.list" or "__builtin__.list" => new List<object?>(),
            _ => new PyObject(cls, a),
        };
    }

    /// <summary>BUILD: attach state to the object on the stack, as data.</summary>
    public static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyObject o when o.State is PyDict existing && state is PyDict update:
                foreach (var (k, v) in update.Entries) existing.Set(k, v);
                break;
            case PyObject o:
                o.State = state;
                break;
            case PyDict d: // an OrderedDict's instance __dict__, e.g. a state_dict's _metadata
                d.Attributes = state as PyDict;
                break;
            case TorchTensor: // a Parameter's extra state (hooks, flags): nothing to keep
                break;
            default:
                throw new WeightFormatException($"data.pkl applies BUILD to a {PickleMachine.Describe(target)}, which is not supported");
        }
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static TorchTensor RebuildTensor(PyTuple a)
    {
        const string name = "torch._utils._rebuild_tensor_v2";
        var storage = Arg<TorchStorage>(a, 0, name);
        long offset = Arg<long>(a, 1, name);
        long[] size = LongTuple(Arg<PyTuple>(a, 2, name), "size");
        long[] stride = LongTuple(Arg<PyTuple>(a, 3, name), "stride");
        return TorchTensor.Create(storage, offset, size, stride);
    }

    /// <summary>_codecs.encode(text, 'latin1'): Python 3 pickles bytes this way at protocol 2. Each char is one byte.</summary>
    private static byte[] Latin1Bytes(PyTuple a)
    {
        string text = Arg<string>(a, 0, "_codecs.encode");
        if (a.Count < 2 || a[1] is not ("latin1" or "latin-1"))
            throw new WeightFormatException("data.pkl calls _codecs.encode with an encoding other than latin1");
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
            bytes[i] = text[i] <= 0xFF ? (byte)text[i] : throw new WeightFormatException("data.pkl gives _codecs.encode text that is not latin1");
        return bytes;
    }

    private static PyDict NewOrderedDict(PyTuple a)
    {
        var dict = new PyDict();
        if (a.Count > 0 && a[0] is List<object?> pairs)
        {
            foreach (var pair in pairs)
            {
                // Python 3 pickles (key, value) tuples; Python 2's OrderedDict.__reduce__ gave [key, value] lists.
                switch (pair)
                {
                    case PyTuple { Count: 2 } kv: dict.Set(kv[0], kv[1]); break;
                    case List<object?> { Count: 2 } kv: dict.Set(kv[0], kv[1]); break;
                    default: throw new WeightFormatException("data.pkl builds an OrderedDict from something other than pairs");
                }
            }
        }
        return dict;
    }

    private static PySet NewSet(PyTuple a)
    {
        var set = new PySet();
        if (a.Count > 0)
        {
            switch (a[0])
            {
                case List<object?> list: set.Items.AddRange(list); break;
                case PyTuple tuple: set.Items.AddRange(tuple.Items); break;
                case PySet other: set.Items.AddRange(other.Items); break;
                default: throw new WeightFormatException("data.pkl builds a set from something that is not a list");
            }
        }
        return set;
    }

    private static T Arg<T>(PyTuple a, int index, string callable)
    {
        if (index < a.Count && a[index] is T value) return value;
        string got = index < a.Count ? PickleMachine.Describe(a[index]) : "nothing";
        throw new WeightFormatException($"data.pkl calls {callable} with {got} as argument {index + 1}, expected {typeof(T).Name}");
    }

    private static long[] LongTuple(PyTuple t, string what)
    {
        var values = new long[t.Count];
        for (int i = 0; i < t.Count; i++)
            values[i] = t[i] as long? ?? throw new WeightFormatException($"data.pkl gives a tensor a {what} that is not a tuple of integers");
        return values;
    }
}
