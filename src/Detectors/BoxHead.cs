using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's TwoMLPHead (flatten, fc6 + ReLU, fc7 + ReLU) and FastRCNNPredictor (cls_score: one logit per class,
/// background first; bbox_pred: four deltas per class) under <c>roi_heads</c>.
/// </summary>
public sealed class BoxHead : IDisposable
{
    readonly Linear _fc6, _fc7, _cls, _bbox;

    /// <summary>Builds the head: <paramref name="inFeatures"/> = FPN channels · 7 · 7.</summary>
    public BoxHead(BuildContext ctx, int inFeatures, int representation, int classes)
    {
        _fc6 = new Linear(ctx, "roi_heads.box_head.fc6", inFeatures, representation);
        _fc7 = new Linear(ctx, "roi_heads.box_head.fc7", representation, representation);
        _cls = new Linear(ctx, "roi_heads.box_predictor.cls_score", representation, classes);
        _bbox = new Linear(ctx, "roi_heads.box_predictor.bbox_pred", representation, classes * 4);
    }

    /// <summary>Class logits [P, classes] (differentiable) and box deltas [P, classes·4] of the pooled proposals [P, C, 7, 7].</summary>
    public (Var Logits, Var Deltas) Forward(Var pooled)
    {
        var x = Ops.Reshape(pooled, pooled.Shape[0], -1);
        x = Ops.Relu(_fc6.Forward(x));
        x = Ops.Relu(_fc7.Forward(x));
        return (_cls.Forward(x), _bbox.Forward(x));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _fc6.Dispose();
        _fc7.Dispose();
        _cls.Dispose();
        _bbox.Dispose();
    }
}
