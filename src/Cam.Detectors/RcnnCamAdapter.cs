using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Tensors;

namespace NativeCam.Cam.Detectors;

/// <summary>
/// Faster R-CNN for the CAM core, per kept detection: the score is its label's class logit (or softmax probability)
/// in the box-head row of the proposal it came from; its gradient flows through the box head and RoIAlign into the
/// one FPN level that proposal was pooled from (the proposals themselves are detached, as in torchvision). The
/// default layer of a detection is that level's output (<c>backbone.fpn.layer_blocks.L.0</c>, as Grad-CAM.pytorch
/// explains detectron2's boxes at the feature map they were pooled from); any tape name (<c>backbone.body.layer4</c>,
/// <c>backbone.fpn.inner_blocks.2.0</c>, …) can be given. One adapter serves one transformed image.
/// </summary>
public sealed class RcnnCamAdapter(FasterRcnn model, RcnnInput input) : ICamAdapter<RcnnTargets>
{
    /// <summary>The detector explained.</summary>
    public FasterRcnn Model { get; } = model;

    /// <summary>The transformed image the forward runs on.</summary>
    public RcnnInput Input { get; } = input;

    /// <summary>The latest forward (proposals, rows of the logits, detections).</summary>
    public RcnnPass? Pass { get; private set; }

    /// <summary>The transformed image as the CAM core's input [1, 3, PaddedH, PaddedW] (the caller disposes it).</summary>
    public Tensor InputTensor() => Tensor.FromArray(Model.Device, Input.Pixels, 1, 3, Input.PaddedH, Input.PaddedW);

    /// <inheritdoc/>
    public Var[] Forward(Var x)
    {
        Pass = Model.Forward(x, Input);
        return Pass.Logits is null ? [] : [Pass.Logits];
    }

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => name.Trim();

    /// <inheritdoc/>
    public string LayerHint => "layers are module paths such as backbone.fpn.layer_blocks.0.0 (P2, the default for a box pooled there), backbone.fpn.pool, backbone.body.layer4";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => Model.LevelNames.Take(4).ToArray();

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, RcnnTargets targets)
    {
        var pass = Pass ?? throw new InvalidOperationException("CAM: the adapter has not run its forward");
        var (levels, _) = MultiScaleRoiAlign.Map(pass.Proposals, pass.Levels[..^1], Input);
        return targets.Detections.Select(d =>
        {
            CheckDetection(d, pass);
            return DefaultLayers[levels[d.Proposal]];
        }).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, RcnnTargets targets)
    {
        var pass = Pass ?? throw new InvalidOperationException("CAM: the adapter has not run its forward");
        var logits = outputs[0];
        int rows = logits.Shape[0], classes = logits.Shape[1], k = targets.Count;
        var seed = new float[k * rows * classes];
        for (int t = 0; t < k; t++)
        {
            var d = targets.Detections[t];
            CheckDetection(d, pass);
            int row = pass.RowOf[d.Proposal], o = t * rows * classes + row * classes;
            if (targets.Score == RcnnScore.Logit)
            {
                seed[o + d.Label] = 1;
                continue;
            }
            // d softmax_c / d z_j = p_c (δ_cj − p_j), in double over the proposal's row.
            var z = pass.HostLogits.AsSpan(d.Proposal * classes, classes);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float v in z) max = Math.Max(max, v);
            var p = new double[classes];
            for (int j = 0; j < classes; j++) sum += p[j] = Math.Exp(z[j] - max);
            for (int j = 0; j < classes; j++) p[j] /= sum;
            for (int j = 0; j < classes; j++) seed[o + j] = (float)(p[d.Label] * ((j == d.Label ? 1 : 0) - p[j]));
        }
        return [(logits, Tensor.FromArray(logits.Device, seed, [k, rows, classes]))];
    }

    static void CheckDetection(RcnnDetection d, RcnnPass pass)
    {
        if (d.Proposal < 0 || d.Proposal >= pass.RowOf.Length)
            throw new ArgumentException($"CAM: detection from proposal {d.Proposal} is outside this forward's {pass.RowOf.Length} proposals");
        int classes = pass.HostLogits.Length / pass.RowOf.Length;
        if (d.Label < 1 || d.Label >= classes)
            throw new ArgumentException($"CAM: label {d.Label} is not a foreground class of the model");
    }
}
