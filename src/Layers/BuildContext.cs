using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>Everything a module needs while it is built: the device, the checkpoint's weights and its module records.</summary>
public sealed class BuildContext(Device device, StateDict weights, IReadOnlyDictionary<string, ModuleInfo> modules)
{
    public Device Device { get; } = device;
    public StateDict Weights { get; } = weights;
    public IReadOnlyDictionary<string, ModuleInfo> Modules { get; } = modules;

    /// <summary>The activation the checkpoint has at <paramref name="path"/>, or <paramref name="fallback"/> when it does not record module classes.</summary>
    public Activation ActivationAt(string path, Activation fallback) =>
        Modules.TryGetValue(path, out var info) ? Activations.FromClassName(info.ClassName) : fallback;

    /// <summary>A BatchNorm's epsilon as stored in the checkpoint (YOLOv5 sets 1e-3), else PyTorch's default.</summary>
    public double BatchNormEps(string path) =>
        Modules.TryGetValue(path, out var info) ? info.Number("eps") ?? 1e-5 : 1e-5;
}
