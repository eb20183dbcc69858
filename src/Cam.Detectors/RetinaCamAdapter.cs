using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Tensors;

namespace NativeCam.Cam.Detectors;

/// <summary>
/// RetinaNet for the CAM core, per kept detection: the score is its label's class logit (or sigmoid score) at the
/// anchor it was decoded from, read from that level's cls_logits output; its gradient flows through the
/// classification head into that one pyramid level (and from there into the FPN and body). The default layer of a
/// detection is its level's output (<c>backbone.fpn.layer_blocks.L.0</c> for P3–P5,
/// <c>backbone.fpn.extra_blocks.p6</c>/<c>p7</c>), as Grad-CAM.pytorch explains detectron2's RetinaNet boxes at the
/// feature level they came from; any tape name can be given. One adapter serves one transformed image.
/// </summary>
public sealed class RetinaCamAdapter(RetinaNet model, RcnnInput input) : ICamAdapter<RetinaTargets>
{
    /// <summary>The detector explained.</summary>
    public RetinaNet Model { get; } = model;

    /// <summary>The transformed image the forward runs on.</summary>
    public RcnnInput Input { get; } = input;

    /// <summary>The latest forward (levels, class logits, detections).</summary>
    public RetinaPass? Pass { get; private set; }

    /// <summary>The transformed image as the CAM core's input [1, 3, PaddedH, PaddedW] (the caller disposes it).</summary>
    public Tensor InputTensor() => Tensor.FromArray(Model.Device, Input.Pixels, 1, 3, Input.PaddedH, Input.PaddedW);

    /// <inheritdoc/>
    public Var[] Forward(Var x)
    {
        Pass = Model.Forward(x, Input);
        return Pass.ClassLogits;
    }

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => name.Trim();

    /// <inheritdoc/>
    public string LayerHint => "layers are module paths such as backbone.fpn.layer_blocks.0.0 (P3, the default for a box decoded there), backbone.fpn.extra_blocks.p6, backbone.body.layer4";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => Model.LevelNames;

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, RetinaTargets targets) =>
        targets.Detections.Select(d => DefaultLayers[Check(d, outputs)]).ToArray();

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, RetinaTargets targets)
    {
        int k = targets.Count, a = Model.Arch.Anchors, classes = Model.Arch.Classes;
        var seeds = new List<(Var, Tensor)>();
        foreach (var level in targets.Detections.Select(d => Check(d, outputs)).Distinct().Order())
        {
            var logits = outputs[level];
            int size = logits.Value.Length, hw = logits.Shape[2] * logits.Shape[3];
            var seed = new float[k * size];
            for (int t = 0; t < k; t++)
            {
                var d = targets.Detections[t];
                if (d.Level != level) continue;
                int channel = d.Anchor % a * classes + d.Label, position = d.Anchor / a;
                // d sigmoid(z) / dz = p (1 − p), p the detection's score.
                seed[t * size + channel * hw + position] = targets.Score == RcnnScore.Logit ? 1f : d.Score * (1f - d.Score);
            }
            seeds.Add((logits, Tensor.FromArray(logits.Device, seed, [k, .. logits.Shape])));
        }
        return seeds;
    }

    // The detection's level, after checking that its level, anchor and label exist in this forward.
    int Check(RetinaDetection d, Var[] outputs)
    {
        if (d.Level < 0 || d.Level >= outputs.Length)
            throw new ArgumentException($"CAM: detection from level {d.Level} is outside this forward's {outputs.Length} levels");
        var shape = outputs[d.Level].Shape;
        int anchors = shape[2] * shape[3] * Model.Arch.Anchors;
        if (d.Anchor < 0 || d.Anchor >= anchors)
            throw new ArgumentException($"CAM: anchor {d.Anchor} is outside level {d.Level}'s {anchors} anchors");
        if (d.Label < 0 || d.Label >= Model.Arch.Classes)
            throw new ArgumentException($"CAM: label {d.Label} is not a class of the model");
        return d.Level;
    }
}
