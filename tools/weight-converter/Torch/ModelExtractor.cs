using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// Finds the model inside an unpickled checkpoint and lists its tensors with the names
/// state_dict() would give them. Accepts a plain state_dict, a dict wrapping one or a whole
/// module under 'ema', 'model', 'state_dict' or 'model_state_dict' (optimizer state and other
/// keys ignored), or a pickled nn.Module tree; a DataParallel wrapper is looked through. The names
/// are then normalised by <see cref="StateDictNames"/> ("module." prefix, old DenseNet names).
/// </summary>
public static class ModelExtractor
{
    /// <summary>Keys that wrap the model in training checkpoints, in preference order (YOLOv5 prefers 'ema').</summary>
    private static readonly string[] WrapperKeys = ["ema", "model", "state_dict", "model_state_dict"];
    private const int MaxModuleDepth = 256;

    /// <summary>Module visits allowed: shared submodules are walked once per path, as PyTorch does, so a hostile DAG could explode.</summary>
    private const int MaxModuleVisits = 1_000_000;

    /// <summary>DataParallel and DistributedDataParallel hold the real model as their only child, 'module'.</summary>
    private static readonly string[] ParallelWrappers =
        ["torch.nn.parallel.data_parallel.DataParallel", "torch.nn.parallel.distributed.DistributedDataParallel"];

    /// <summary>What a checkpoint holds: its named tensors, the pickled module (if any) and the top-level dict.</summary>
    /// <param name="Tensors">The tensors under their (normalised) state_dict names, in state_dict order.</param>
    /// <param name="Module">The pickled model, past any DataParallel wrapper; null for a state dict.</param>
    /// <param name="Checkpoint">The training-checkpoint dict around the model, if any.</param>
    /// <param name="Modules">One record per module of <paramref name="Module"/>, by module path.</param>
    /// <param name="WrapperKey">The key of <paramref name="Checkpoint"/> the model was found under.</param>
    /// <param name="StrippedPrefix">The prefix taken off every name ("module."), if any.</param>
    /// <param name="RenamedKeys">How many names were renamed from an old layout.</param>
    public sealed record Extracted(IReadOnlyList<NamedTensor> Tensors, PyObject? Module, PyDict? Checkpoint,
        IReadOnlyDictionary<string, ModuleRecord> Modules, string? WrapperKey = null, string? StrippedPrefix = null, int RenamedKeys = 0);

    public static Extracted Extract(object? root, string source)
    {
        PyDict? checkpoint = null;
        string? wrapperKey = null;
        object? model = root;
        if (root is PyDict dict && !IsStateDict(dict))
        {
            checkpoint = dict;
            wrapperKey = WrapperKeys.FirstOrDefault(k => IsModel(dict.Get(k)))
                ?? WrapperKeys.FirstOrDefault(k => dict.Get(k) is not null); // reported below as what it is
            if (wrapperKey is null)
                throw new WeightFormatException($"{source} holds no model: expected a state_dict or a dict with 'model', 'ema' or 'state_dict' (found keys: {KeyList(dict)})");
            model = dict.Get(wrapperKey);
        }
        string? prefix = null;
        if (model is PyObject wrapper && IsModule(wrapper) && ParallelWrappers.Contains(wrapper.Type.FullName)
            && wrapper.StateDict!.Get("_modules") is PyDict { Count: 1 } children && children.Get("module") is PyObject inner && IsModule(inner))
        {
            model = inner;
            prefix = "module.";
        }
        var tensors = new List<NamedTensor>();
        var modules = new Dictionary<string, ModuleRecord>(StringComparer.Ordinal);
        switch (model)
        {
            case PyObject module when IsModule(module):
                int visits = MaxModuleVisits;
                Walk(module, "", 0, ref visits, tensors, modules);
                break;
            case PyDict stateDict when IsStateDict(stateDict):
                foreach (var (k, v) in stateDict.Entries) tensors.Add(new NamedTensor((string)k, (TorchTensor)v!));
                break;
            default:
                throw new WeightFormatException($"{source} holds a {PickleMachine.Describe(model)} where a model or state_dict was expected");
        }
        if (tensors.Count == 0) throw new WeightFormatException($"{source} holds a model without any tensors");
        var names = StateDictNames.Normalise(tensors, source);
        return new Extracted(names.Tensors, model as PyObject, checkpoint, modules, wrapperKey, prefix ?? names.StrippedPrefix, names.Renamed);
    }

    /// <summary>A dict of string keys to tensors, nothing else.</summary>
    private static bool IsStateDict(PyDict d) =>
        d.Count > 0 && d.Entries.All(e => e.Key is string && e.Value is TorchTensor);

    private static bool IsModule(PyObject o) => o.StateDict?.Get("_modules") is PyDict;

    private static bool IsModel(object? value) => value is PyObject o && IsModule(o) || value is PyDict d && IsStateDict(d);

    /// <summary>state_dict order: a module's parameters, then its persistent buffers, then each child.</summary>
    private static void Walk(PyObject module, string prefix, int depth, ref int visits, List<NamedTensor> into,
        Dictionary<string, ModuleRecord> modules)
    {
        if (depth > MaxModuleDepth) throw new WeightFormatException($"module tree deeper than {MaxModuleDepth} levels at '{prefix}' (cyclic?)");
        if (--visits < 0) throw new WeightFormatException($"module tree has more than {MaxModuleVisits} modules (hostile?)");
        var state = module.StateDict!;
        modules[prefix.TrimEnd('.')] = new ModuleRecord(module.Type.FullName, PlainAttributes(state));
        AddTensors(state.Get("_parameters"), prefix, skip: null, into);
        AddTensors(state.Get("_buffers"), prefix, skip: state.Get("_non_persistent_buffers_set") as PySet, into);
        if (state.Get("_modules") is not PyDict children) return;
        foreach (var (name, child) in children.Entries)
        {
            if (child is PyObject c && IsModule(c)) Walk(c, $"{prefix}{name}.", depth + 1, ref visits, into, modules);
        }
    }

    /// <summary>Public scalar attributes of a module (eps, stride, inplace, ...): plain values and short
    /// tuples of them; containers, tensors and private fields are left out.</summary>
    private static Dictionary<string, object?> PlainAttributes(PyDict state)
    {
        const int MaxTuple = 16;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in state.Entries)
        {
            if (key is not string k || k.StartsWith('_')) continue;
            if (value is null or bool or long or double or string) attributes[k] = value;
            else if (value is PyTuple t && t.Count <= MaxTuple && t.Items.All(i => i is null or bool or long or double or string))
                attributes[k] = t.Items.ToList();
        }
        return attributes;
    }

    private static void AddTensors(object? dict, string prefix, PySet? skip, List<NamedTensor> into)
    {
        if (dict is not PyDict d) return;
        foreach (var (name, value) in d.Entries)
        {
            if (value is not TorchTensor t || name is not string n) continue; // None slots (e.g. bias=False)
            if (skip is not null && skip.Items.Contains(n)) continue;
            into.Add(new NamedTensor(prefix + n, t));
        }
    }

    private static string KeyList(PyDict d) => string.Join(", ", d.Entries.Take(12).Select(e => e.Key.ToString()));
}
