using NativeCam.Tensors;

namespace NativeCam.Cam.Vit;

/// <summary>
/// ViT explanation maps from captured attention probabilities and gradients (docs/vit-explain.md), each returned
/// as a new device tensor [K, g, g] on the patch grid (K = 1 for attention rollout). The caller disposes it.
/// </summary>
public static class VitExplain
{
    /// <summary>vit-explain's default discard ratio.</summary>
    public const double DefaultDiscardRatio = 0.9;

    /// <summary>Attention rollout of the layers' attentions [H, T, T] (forward order): the class token's row of
    /// R = Â_{L−1} ··· Â_0 over the patches, [1, g, g].</summary>
    public static Tensor AttentionRollout(IReadOnlyList<Tensor> attentions, HeadFusion fusion = HeadFusion.Mean,
        double discardRatio = DefaultDiscardRatio)
    {
        if (attentions.Count == 0) throw new ArgumentException("attention rollout: no layers");
        var device = attentions[0].Device;
        int tokens = attentions[0].Shape[^1];
        var kernels = IlgpuVitKernels.For(device);
        int g = IlgpuVitKernels.GridSide(tokens);
        var map = Tensor.Empty(device, 1, g, g);
        return Fill(map, () => kernels.AttentionRolloutMap(attentions, fusion, discardRatio, map));
    }

    /// <summary>Gradient attention rollout for K targets: attentions[l] [H, T, T] and gradients[l] [K, H, T, T] with
    /// respect to attentions[l], both in forward layer order → [K, g, g].</summary>
    public static Tensor GradientRollout(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients,
        double discardRatio = DefaultDiscardRatio)
    {
        if (attentions.Count == 0 || gradients.Count == 0) throw new ArgumentException("gradient rollout: no layers");
        var device = attentions[0].Device;
        int tokens = attentions[0].Shape[^1], k = gradients[0].Rank == 4 ? gradients[0].Shape[0] : 1; // other ranks: the kernels say why
        var kernels = IlgpuVitKernels.For(device);
        int g = IlgpuVitKernels.GridSide(tokens);
        var map = Tensor.Empty(device, k, g, g);
        return Fill(map, () => kernels.GradientRolloutMap(attentions, gradients, discardRatio, map));
    }

    /// <summary>
    /// Chefer et al. 2021's generic attention relevance for K targets (docs/vit-explain.md): R = I, then per layer
    /// R ← R + Ā_l·R with Ā_l = mean_h ReLU(G_l[k] ⊙ A_l); the map is R[0, 1:]. attentions[l] [H, T, T] and gradients[l]
    /// [K, H, T, T] (with respect to attentions[l] itself) in forward layer order → [K, g, g].
    /// </summary>
    public static Tensor Chefer(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients)
    {
        if (attentions.Count == 0 || gradients.Count == 0) throw new ArgumentException("Chefer relevance: no layers");
        var device = attentions[0].Device;
        int tokens = attentions[0].Shape[^1], k = gradients[0].Rank == 4 ? gradients[0].Shape[0] : 1; // other ranks: the kernels say why
        var kernels = IlgpuVitKernels.For(device);
        int g = IlgpuVitKernels.GridSide(tokens);
        var map = Tensor.Empty(device, k, g, g);
        return Fill(map, () => kernels.CheferMap(attentions, gradients, map));
    }

    /// <summary>Grad-CAM on a token layer: activations [T, C] and gradients [K, T, C] → [K, g, g].</summary>
    public static Tensor GradCam(Tensor tokens, Tensor gradient)
    {
        int g = IlgpuVitKernels.GridSide(tokens.Shape[^2]);
        var map = Tensor.Empty(tokens.Device, gradient.Shape[0], g, g);
        return Fill(map, () => IlgpuVitKernels.For(tokens.Device).TokenGradCam(tokens, gradient, map));
    }

    // Runs `compute` into the new map, disposing the map if it throws (bad shapes).
    internal static Tensor Fill(Tensor map, Action compute)
    {
        try
        {
            compute();
            return map;
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }
}
