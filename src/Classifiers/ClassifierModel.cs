using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// A torchvision classifier on a device: <see cref="Forward"/> maps one normalised image [1, 3, H, W] to its logits
/// [1, classes], naming every module's output on the tape with its PyTorch module path (<c>layer4.1</c>,
/// <c>features.18</c>, …) so that CAM can watch any of them. A conv followed by a BatchNorm is folded into one conv
/// whose output carries the BatchNorm's path (<see cref="FoldedConvs"/>).
/// </summary>
public abstract class ClassifierModel : IDisposable
{
    readonly List<Module> _modules = [];
    readonly Dictionary<string, string> _folded = new(StringComparer.Ordinal);

    /// <summary>Creates a model of <paramref name="arch"/>.</summary>
    protected ClassifierModel(ClassifierArch arch) => Arch = arch;

    /// <summary>What the state dict was inferred to be.</summary>
    public ClassifierArch Arch { get; }

    /// <summary>The layer pytorch-grad-cam's documentation explains this family at (ResNet <c>layer4</c>, i.e.
    /// <c>model.layer4[-1]</c>; VGG and DenseNet and MobileNet <c>features[-1]</c>).</summary>
    public abstract string DefaultLayer { get; }

    /// <summary>For a head that is a global average pool followed by one Linear layer: the layer feeding the pool and
    /// the Linear's weight [classes, C] (the original CAM's class weights); null for other heads (VGG, MobileNet v3).</summary>
    public virtual (string Layer, Var Weight)? PooledLinearHead => null;

    /// <summary>Conv module paths folded into the BatchNorm after them (conv path → BatchNorm path): these convs' own
    /// outputs do not exist, watch the BatchNorm instead.</summary>
    public IReadOnlyDictionary<string, string> FoldedConvs => _folded;

    /// <summary>Logits [1, classes] of one image [1, 3, H, W], normalised as the weights expect.</summary>
    public abstract Var Forward(Var image);

    /// <summary>All weights.</summary>
    public IEnumerable<Var> Parameters() => _modules.SelectMany(m => m.Parameters());

    /// <summary>Builds the network of <paramref name="checkpoint"/> on <paramref name="device"/>; every tensor of the
    /// state dict must be used (a tensor no module takes means a layout this builder does not understand).</summary>
    public static ClassifierModel Build(Device device, ClassifierCheckpoint checkpoint)
    {
        var ctx = new BuildContext(device, checkpoint.Weights, new Dictionary<string, ModuleInfo>());
        var shapes = checkpoint.Shapes;
        ClassifierModel model = checkpoint.Arch.Family switch
        {
            ClassifierFamily.ResNet => new ResNet(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.Vgg => new Vgg(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.DenseNet => new DenseNet(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.MobileNetV2 => new MobileNetV2(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.MobileNetV3 => new MobileNetV3(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.ShuffleNetV2 => new ShuffleNetV2(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.SqueezeNet => new SqueezeNet(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.AlexNet => new AlexNet(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.EfficientNet => new EfficientNet(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.ConvNeXt => new ConvNeXt(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.InceptionV3 => new InceptionV3(ctx, checkpoint.Arch, shapes),
            ClassifierFamily.GoogLeNet => new GoogLeNet(ctx, checkpoint.Arch, shapes),
            var other => throw new InvalidOperationException($"no builder for family {other}"),
        };
        var unused = checkpoint.Weights.Unused;
        if (unused.Count == 0) return model;
        model.Dispose();
        throw new InvalidDataException($"{checkpoint.Arch.Name} checkpoint has {unused.Count} tensor(s) this model does not use: " +
            $"{string.Join(", ", unused.Take(6))}{(unused.Count > 6 ? ", ..." : "")}");
    }

    /// <summary>Registers a module (freed with the model).</summary>
    protected T Add<T>(T module) where T : Module
    {
        _modules.Add(module);
        if (module is ConvBn cb) _folded[cb.ConvPath] = cb.Path;
        return module;
    }

    /// <summary>Registers a module built by a helper of the family (freed with the model).</summary>
    internal T Register<T>(T module) where T : Module => Add(module);

    /// <summary>Checks the input is a batch of RGB images (one for an explanation; Score-CAM's masked inputs are many).</summary>
    protected static void CheckInput(Var image, string family)
    {
        if (image.Shape is not [> 0, 3, _, _])
            throw new ArgumentException($"{family}: input {Tensor.Format(image.Shape)} is not a batch of RGB images [N, 3, H, W]");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var m in _modules) m.Dispose();
        _modules.Clear();
        GC.SuppressFinalize(this);
    }
}
