using NativeCam.Tensors;

namespace NativeCam.Cam.Vit;

/// <summary>
/// Attention rollout and gradient rollout as jacobgil/vit-explain (commit 15a81d3) computes them, numbers included, for
/// its users (`vit-cam --compat vit-explain`; docs/vit-explain.md lists every difference from <see cref="VitExplain"/>).
/// Inputs are what the tape gives: probabilities [H, T, T] and gradients with respect to them [K, H, T, T], both in
/// forward layer order; the maps are divided by their maximum, as vit-explain's masks. The caller disposes the result.
/// </summary>
public static class VitExplainCompat
{
    /// <summary>vit-explain's VITAttentionRollout mask, [1, g, g].</summary>
    public static Tensor AttentionRollout(IReadOnlyList<Tensor> attentions, HeadFusion fusion = HeadFusion.Mean,
        double discardRatio = VitExplain.DefaultDiscardRatio)
    {
        if (attentions.Count == 0) throw new ArgumentException("vit-explain rollout: no layers");
        var device = attentions[0].Device;
        int g = IlgpuVitKernels.GridSide(attentions[0].Shape[^1]);
        var map = Tensor.Empty(device, 1, g, g);
        return VitExplain.Fill(map, () => IlgpuVitKernels.For(device).VitExplainRolloutMap(attentions, fusion, discardRatio, map));
    }

    /// <summary>vit-explain's VITAttentionGradRollout masks for K targets from one backward sweep, [K, g, g] (each as
    /// a first call of a fresh VITAttentionGradRollout: its lists are never cleared, so later calls differ again).</summary>
    public static Tensor GradientRollout(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients,
        double discardRatio = VitExplain.DefaultDiscardRatio)
    {
        if (attentions.Count == 0 || gradients.Count == 0) throw new ArgumentException("vit-explain gradient rollout: no layers");
        var device = attentions[0].Device;
        int g = IlgpuVitKernels.GridSide(attentions[0].Shape[^1]), k = gradients[0].Rank == 4 ? gradients[0].Shape[0] : 1;
        var map = Tensor.Empty(device, k, g, g);
        return VitExplain.Fill(map, () => IlgpuVitKernels.For(device).VitExplainGradientRolloutMap(attentions, gradients, discardRatio, map));
    }
}
