using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RetinaNetHead (v1, no normalisation), shared by every pyramid level: a classification branch of four
/// 3×3 conv + ReLU (<c>head.classification_head.conv.N.0</c>) and a 3×3 conv to one logit per anchor and class
/// (<c>cls_logits</c>), and a regression branch of the same shape ending in four deltas per anchor (<c>bbox_reg</c>).
/// The shared modules name their output on the last level run (P7), where torchvision's hooks would fire per level.
/// </summary>
public sealed class RetinaHead : IDisposable
{
    readonly Conv2d[] _clsTower, _regTower;
    readonly Conv2d _cls, _reg;

    /// <summary>Anchors per location.</summary>
    public int Anchors { get; }

    /// <summary>Classes (no background column: a sigmoid per class).</summary>
    public int Classes { get; }

    /// <summary>Builds the head on <paramref name="channels"/> FPN channels.</summary>
    public RetinaHead(BuildContext ctx, int channels, int anchors, int classes)
    {
        (Anchors, Classes) = (anchors, classes);
        const string c = "head.classification_head", r = "head.regression_head";
        _clsTower = Enumerable.Range(0, 4).Select(i => new Conv2d(ctx, $"{c}.conv.{i}.0", channels, channels, (3, 3), (1, 1), (1, 1))).ToArray();
        _regTower = Enumerable.Range(0, 4).Select(i => new Conv2d(ctx, $"{r}.conv.{i}.0", channels, channels, (3, 3), (1, 1), (1, 1))).ToArray();
        _cls = new Conv2d(ctx, $"{c}.cls_logits", channels, anchors * classes, (3, 3), (1, 1), (1, 1));
        _reg = new Conv2d(ctx, $"{r}.bbox_reg", channels, anchors * 4, (3, 3), (1, 1), (1, 1));
    }

    /// <summary>
    /// One level's class logits [1, A·K, H, W] (differentiable: channel a·K + k, as the conv writes them) and box deltas
    /// on the host [H·W·A, 4] in torchvision's flattened order (location y-major, then x, then anchor).
    /// </summary>
    public (Var Logits, float[] Deltas) Forward(Var feature)
    {
        var t = feature;
        foreach (var conv in _clsTower) t = Ops.Relu(conv.Forward(t));
        var logits = _cls.Forward(t);
        var u = feature;
        foreach (var conv in _regTower) u = Ops.Relu(conv.Forward(u));
        var raw = _reg.Forward(u).Value.ToArray();
        int hw = feature.Shape[2] * feature.Shape[3];
        var deltas = new float[hw * Anchors * 4];
        for (int a = 0; a < Anchors; a++)
            for (int j = 0; j < 4; j++)
                for (int p = 0; p < hw; p++) deltas[(p * Anchors + a) * 4 + j] = raw[(a * 4 + j) * hw + p];
        return (logits, deltas);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var m in _clsTower.Concat(_regTower).Append(_cls).Append(_reg)) m.Dispose();
    }
}
