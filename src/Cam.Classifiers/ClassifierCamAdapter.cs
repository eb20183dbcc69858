using NativeCam.Autograd;
using NativeCam.Classifiers;
using NativeCam.Tensors;

namespace NativeCam.Cam.Classifiers;

/// <summary>
/// A torchvision classifier for the CAM core: layers are PyTorch module paths (<c>layer4</c>, <c>layer3.0.relu</c>,
/// <c>features.18</c>, …), a target is a class whose raw logit is differentiated (pytorch-grad-cam's
/// ClassifierOutputTarget), and the default layer is the one pytorch-grad-cam's documentation uses for the family
/// (<see cref="ClassifierModel.DefaultLayer"/>). A conv whose BatchNorm was folded into it is refused with the
/// BatchNorm's name.
/// </summary>
public sealed class ClassifierCamAdapter(ClassifierModel model) : ICamAdapter<ClassTargets>, ICamClassWeights<ClassTargets>, ICamScores<ClassTargets>
{
    /// <summary>The network explained.</summary>
    public ClassifierModel Model { get; } = model;

    /// <inheritdoc/>
    public Var[] Forward(Var input) => [Model.Forward(input)];

    /// <inheritdoc/>
    public string NormalizeLayer(string name)
    {
        name = name.Trim();
        if (name.StartsWith("model.", StringComparison.Ordinal)) name = name["model.".Length..];
        if (Model.FoldedConvs.TryGetValue(name, out var bn))
            throw new ArgumentException($"CAM: layer {name} is a conv folded into the BatchNorm after it: watch {bn}");
        return name;
    }

    /// <inheritdoc/>
    public string LayerHint => $"layers are module paths such as {Model.DefaultLayer} (the default); nativecam classify-cam --help lists the conventions";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => [Model.DefaultLayer];

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, ClassTargets targets)
    {
        int classes = outputs[0].Shape[^1];
        foreach (int c in targets.ClassIds)
            if (c < 0 || c >= classes) throw new ArgumentException($"CAM: class {c} is outside the model's {classes} classes");
        return targets.ClassIds.Select(_ => Model.DefaultLayer).ToArray();
    }

    /// <summary>The original CAM's weights: the rows of the targets' classes in the Linear after the global average
    /// pool (<see cref="ClassifierModel.PooledLinearHead"/>), only at the layer feeding that pool.</summary>
    public Tensor ClassWeights(Device device, string layer, ClassTargets targets)
    {
        if (Model.PooledLinearHead is not var (pooled, weight))
            throw new ArgumentException($"CAM: method cam needs a global average pool followed by one Linear layer; {Model.Arch.Name}'s head is not (use gradcam)");
        if (layer != pooled)
            throw new ArgumentException($"CAM: method cam weights the channels of {pooled}, the layer feeding {Model.Arch.Name}'s global average pool, not {layer}");
        int c = weight.Shape[1];
        var w = weight.Value.ToArray();
        var rows = new float[targets.Count * c];
        for (int k = 0; k < targets.Count; k++) Array.Copy(w, targets.ClassIds[k] * c, rows, k * c, c);
        return Tensor.FromArray(device, rows, [targets.Count, c]);
    }

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, ClassTargets targets) => [targets.Seed(outputs[0])];

    /// <summary>Score-CAM's scores: the raw logit of each target's class in each row of the batch's logits [B, N].</summary>
    public double[] Scores(Var[] outputs, ClassTargets targets)
    {
        var logits = outputs[0].Value.ToArray();
        int n = outputs[0].Shape[^1], b = logits.Length / n, k = targets.Count;
        var scores = new double[b * k];
        for (int i = 0; i < b; i++)
            for (int t = 0; t < k; t++) scores[i * k + t] = logits[i * n + targets.ClassIds[t]];
        return scores;
    }
}
