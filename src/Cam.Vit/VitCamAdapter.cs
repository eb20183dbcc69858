using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Cam.Vit;

/// <summary>
/// A ViT classifier for the CAM core: layers are module paths (<c>blocks.11.norm1</c>, <c>blocks.N</c>, <c>norm</c>,
/// the attention probabilities of <see cref="VitModel.AttentionNames"/>), a target is a class whose raw logit is
/// differentiated, and the default layer is the last block's norm1 (pytorch-grad-cam's ViT example). Its token layers
/// are [1, T, C], not feature maps: the maps come from <see cref="VitExplain"/> after <see cref="CamEngine.Backward"/>.
/// </summary>
public sealed class VitCamAdapter(VitModel model) : ICamAdapter<ClassTargets>
{
    /// <summary>The network explained.</summary>
    public VitModel Model { get; } = model;

    /// <summary>The token layer Grad-CAM reads by default: the last block's norm1.</summary>
    public static string DefaultLayer(VitConfig config) => $"blocks.{config.Depth - 1}.norm1";

    /// <inheritdoc/>
    public Var[] Forward(Var input) => [Model.Forward(input)];

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => name.Trim();

    /// <inheritdoc/>
    public string LayerHint => $"token layers look like blocks.0.norm1 … {DefaultLayer(Model.Config)}, blocks.N.norm2, blocks.N or norm";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => [DefaultLayer(Model.Config)];

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, ClassTargets targets)
    {
        foreach (int c in targets.ClassIds)
            if (c < 0 || c >= Model.Config.Classes)
                throw new ArgumentException($"CAM: class {c} is outside the model's {Model.Config.Classes} classes");
        return targets.ClassIds.Select(_ => DefaultLayers[0]).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, ClassTargets targets) => [targets.Seed(outputs[0])];
}
