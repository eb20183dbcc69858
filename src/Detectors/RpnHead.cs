using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RPNHead, shared by every level: 3×3 conv + ReLU (<c>rpn.head.conv.0.0</c>), then 1×1 convs to one
/// objectness logit (<c>rpn.head.cls_logits</c>) and four box deltas (<c>rpn.head.bbox_pred</c>) per anchor.
/// </summary>
public sealed class RpnHead : IDisposable
{
    readonly Conv2d _conv, _cls, _bbox;

    /// <summary>Builds the head on <paramref name="channels"/> FPN channels with <paramref name="anchors"/> anchors per location.</summary>
    public RpnHead(BuildContext ctx, int channels, int anchors)
    {
        _conv = new Conv2d(ctx, "rpn.head.conv.0.0", channels, channels, (3, 3), (1, 1), (1, 1));
        _cls = new Conv2d(ctx, "rpn.head.cls_logits", channels, anchors, (1, 1), (1, 1), (0, 0));
        _bbox = new Conv2d(ctx, "rpn.head.bbox_pred", channels, anchors * 4, (1, 1), (1, 1), (0, 0));
    }

    /// <summary>
    /// One level's objectness [H·W·A] and deltas [H·W·A, 4] on the host, in torchvision's permute_and_flatten order
    /// (location y-major, then x, then anchor).
    /// </summary>
    public (float[] Objectness, float[] Deltas) Forward(Var feature)
    {
        var t = Ops.Relu(_conv.Forward(feature));
        var cls = _cls.Forward(t).Value.ToArray();
        var box = _bbox.Forward(t).Value.ToArray();
        int hw = feature.Shape[2] * feature.Shape[3], a = cls.Length / hw;
        var objectness = new float[hw * a];
        var deltas = new float[hw * a * 4];
        for (int k = 0; k < a; k++)
            for (int p = 0; p < hw; p++)
            {
                objectness[p * a + k] = cls[k * hw + p];
                for (int j = 0; j < 4; j++) deltas[(p * a + k) * 4 + j] = box[(k * 4 + j) * hw + p];
            }
        return (objectness, deltas);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _conv.Dispose();
        _cls.Dispose();
        _bbox.Dispose();
    }
}
