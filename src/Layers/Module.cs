using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// A layer with weights on a device, named by its PyTorch module path (<c>model.17.cv3</c>). Forward
/// runs autograd ops on the active tape and names its output with the path, so hooks can watch any
/// layer by the same name PyTorch uses. Disposing a module frees its weights.
/// </summary>
public abstract class Module : IDisposable
{
    readonly List<Var> _parameters = [];
    readonly List<Module> _children = [];

    protected Module(string path) => Path = path;

    /// <summary>The module path, e.g. <c>model.17.cv3</c>.</summary>
    public string Path { get; }

    public abstract Var Forward(Var x);

    /// <summary>This module's own weights and those of its children.</summary>
    public IEnumerable<Var> Parameters() => _parameters.Concat(_children.SelectMany(c => c.Parameters()));

    /// <summary>Registers a child so its weights are listed and freed with this module.</summary>
    protected T Child<T>(T module) where T : Module
    {
        _children.Add(module);
        return module;
    }

    /// <summary>Uploads a weight and registers it as a parameter (no gradient unless asked).</summary>
    protected Var Parameter(Device device, HostTensor t)
    {
        var v = Var.Parameter(t.ToDevice(device));
        _parameters.Add(v);
        return v;
    }

    /// <summary>Names <paramref name="y"/> with this module's path (plus an optional suffix) on the active tape.</summary>
    protected Var Output(Var y, string? suffix = null) => y.Named(suffix is null ? Path : $"{Path}.{suffix}");

    /// <summary>Joins a module path and a child name.</summary>
    public static string Join(string path, string child) => path.Length == 0 ? child : $"{path}.{child}";

    public virtual void Dispose()
    {
        foreach (var p in _parameters)
        {
            p.ZeroGrad();
            p.Value.Dispose();
        }
        _parameters.Clear();
        foreach (var c in _children) c.Dispose();
        _children.Clear();
        GC.SuppressFinalize(this);
    }
}
