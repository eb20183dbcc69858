using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;

namespace NativeCam.Cam.Vit;

// Chefer et al. 2021's relevance for self-attention (docs/vit-explain.md): R = I, then per layer R ← R + Ā_l·R with
// Ā_l = mean_h ReLU(∇A_l ⊙ A_l), i.e. R = (I + Ā_{L−1}) ··· (I + Ā_0); the map is R[0, 1:].
public sealed partial class IlgpuVitKernels
{
    Action<Index1D, Work, ArrayView<float>, int>? _addIdentity;

    // One work item per diagonal entry (k, i): m[k, i, i] += 1.
    static void AddIdentityKernel(Index1D t, Work w, ArrayView<float> m, int tokens)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / tokens, i = item % tokens;
                m[(k * tokens + i) * tokens + i] += 1f;
            }
    }

    /// <summary>In place on K matrices [K, T, T]: M[k] ← M[k] + I.</summary>
    public void AddIdentity(Tensor matrices, int tokens)
    {
        Require(tokens > 0 && matrices.Length > 0 && matrices.Length % (tokens * tokens) == 0,
            $"add identity: {matrices.Length} elements are not K matrices of {tokens}x{tokens}");
        var (threads, w) = Plan(matrices.Length / tokens);
        _addIdentity ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, int>(AddIdentityKernel);
        _addIdentity(threads, w, matrices.View, tokens);
    }

    // Layer l's factor I + Ā_l for the K targets.
    Action<int, Tensor> CheferFactor(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, int tokens) => (l, hat) =>
    {
        FuseGradientHeads(attentions[l], gradients[l], hat);
        AddIdentity(hat, tokens);
    };

    /// <summary>
    /// Chefer et al.'s relevance for K targets, the full R[k] = (I + Ā_{L−1,k}) ··· (I + Ā_{0,k}) [K, T, T] with
    /// Ā_{l,k} = mean_h ReLU(A_l ⊙ G_l[k]) (<see cref="FuseGradientHeads"/>); attentions[l] [H, T, T] and gradients[l]
    /// [K, H, T, T] (with respect to attentions[l] itself) in forward layer order.
    /// </summary>
    public void CheferRelevance(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, Tensor relevance)
    {
        int k = CheckGradientLayers(attentions, gradients, "Chefer relevance");
        int tokens = attentions[0].Shape[^1];
        Require(relevance.Length == k * tokens * tokens, $"Chefer relevance: output of {relevance.Length} elements for {k} targets of {tokens}x{tokens}");
        Product(attentions.Count, k, tokens, CheferFactor(attentions, gradients, tokens), relevance);
    }

    /// <summary>The Chefer maps R[k, 0, 1:] as [K, g, g] without forming R (the class row times one factor per layer,
    /// as <see cref="AttentionRolloutMap"/>); equal to <see cref="CheferRelevance"/> then <see cref="ClassTokenMap"/>.</summary>
    public void CheferMap(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, Tensor map)
    {
        int k = CheckGradientLayers(attentions, gradients, "Chefer map");
        int tokens = attentions[0].Shape[^1], g = GridSide(tokens);
        Require(map.Length == k * g * g, $"Chefer map: map of {map.Length} for {k} maps of {g}x{g}");
        ClassRowProduct(attentions.Count, k, tokens, CheferFactor(attentions, gradients, tokens), map);
    }
}
