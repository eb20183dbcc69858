using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;

namespace NativeCam.Cam.Vit;

// jacobgil/vit-explain's rollout and gradient rollout exactly as its code computes them (commit 15a81d3; the
// differences from NativeCam's rules are listed in docs/vit-explain.md): its discard exemption, its normalisation
// a = (F + I)/2, a / a.sum(dim=-1) (entry (i, j) divided by ROW j's sum, by broadcasting), its gradient (that of the
// softmax's input, paired with the layers in reverse), ReLU after the head mean, and the mask divided by its maximum.
public sealed partial class IlgpuVitKernels
{
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _scoreGradient;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _fuseMeanThenRelu;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _rowSums;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _divideByColumnRowSum;
    Action<Index1D, Work, ArrayView<float>, int>? _divideByMax;

    // One work item per row (k, h, i): S[k, h, i, :] = P[h, i, :] ⊙ (G[k, h, i, :] − Σ_j P[h, i, j] G[k, h, i, j]),
    // the softmax's backward: the gradient with respect to the softmax's input from the one with respect to its output.
    static void ScoreGradientKernel(Index1D t, Work w, ArrayView<float> p, ArrayView<float> g, ArrayView<float> s, int heads, int tokens)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int row = ch; row < w.End(ch); row++)
            {
                int start = row * tokens, pStart = row % (heads * tokens) * tokens;
                float dot = 0;
                for (int j = 0; j < tokens; j++) dot += p[pStart + j] * g[start + j];
                for (int j = 0; j < tokens; j++) s[start + j] = p[pStart + j] * (g[start + j] - dot);
            }
    }

    // One work item per (k, i, j): ReLU(mean over h of A[h, i, j] · S[k, h, i, j]) — the clamp after the mean.
    static void FuseMeanThenReluKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> s, ArrayView<float> fused, int heads, int plane)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / plane, p = item % plane;
                float sum = 0;
                for (int h = 0; h < heads; h++) sum += a[h * plane + p] * s[(k * heads + h) * plane + p];
                float mean = sum / heads;
                fused[item] = mean > 0 ? mean : 0f;
            }
    }

    // One work item per row (k, j): sums[k, j] = Σ_c (F[k, j, c] + δ_jc).
    static void RowSumsKernel(Index1D t, Work w, ArrayView<float> f, ArrayView<float> sums, int tokens)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int row = ch; row < w.End(ch); row++)
            {
                float sum = 1;
                for (int c = 0; c < tokens; c++) sum += f[row * tokens + c];
                sums[row] = sum;
            }
    }

    // One work item per entry (k, i, j): F[k, i, j] ← (F[k, i, j] + δ_ij) / sums[k, j].
    static void DivideByColumnRowSumKernel(Index1D t, Work w, ArrayView<float> f, ArrayView<float> sums, int tokens)
    {
        int plane = tokens * tokens;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / plane, i = item % plane / tokens, j = item % tokens;
                f[item] = (f[item] + (i == j ? 1f : 0f)) / sums[k * tokens + j];
            }
    }

    // One work item per map k of n values: divided by its maximum when that is positive (else left as it is).
    static void DivideByMaxKernel(Index1D t, Work w, ArrayView<float> maps, int n)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int k = ch; k < w.End(ch); k++)
            {
                float max = maps[k * n];
                for (int p = 1; p < n; p++) max = maps[k * n + p] > max ? maps[k * n + p] : max;
                if (max > 0)
                    for (int p = 0; p < n; p++) maps[k * n + p] = maps[k * n + p] / max;
            }
    }

    /// <summary>The gradient with respect to the softmax's input: attention P [H, T, T] and the K gradients with
    /// respect to P, [K, H, T, T] → S = P ⊙ (G − rowsum(P ⊙ G)) [K, H, T, T].</summary>
    public void ScoreGradient(Tensor attention, Tensor gradient, Tensor scores)
    {
        var (heads, tokens) = AttentionShape(attention, "score gradient");
        Require(gradient.Rank == 4 && gradient.Shape[1] == heads && gradient.Shape[2] == tokens && gradient.Shape[3] == tokens,
            $"score gradient: gradient {Tensor.Format(gradient.Shape)} must be [K, {heads}, {tokens}, {tokens}]");
        Require(scores.Length == gradient.Length, $"score gradient: output of {scores.Length} elements for {gradient.Length}");
        var (threads, w) = Plan(gradient.Length / tokens);
        _scoreGradient ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ScoreGradientKernel);
        _scoreGradient(threads, w, attention.View, gradient.View, scores.View, heads, tokens);
    }

    /// <summary>fused[k] = ReLU(mean_h A[h] ⊙ S[k, h]): [H, T, T] and [K, H, T, T] → [K, T, T] (vit-explain's order:
    /// mean first, clamp after).</summary>
    public void FuseMeanThenRelu(Tensor attention, Tensor gradient, Tensor fused)
    {
        var (heads, tokens) = AttentionShape(attention, "vit-explain gradient fusion");
        Require(gradient.Rank == 4 && gradient.Shape[1] == heads && gradient.Shape[2] == tokens && gradient.Shape[3] == tokens
            && fused.Length == gradient.Shape[0] * tokens * tokens,
            $"vit-explain gradient fusion: gradient {Tensor.Format(gradient.Shape)} must be [K, {heads}, {tokens}, {tokens}] and the output K·{tokens}²");
        var (threads, w) = Plan(fused.Length);
        _fuseMeanThenRelu ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(FuseMeanThenReluKernel);
        _fuseMeanThenRelu(threads, w, attention.View, gradient.View, fused.View, heads, tokens * tokens);
    }

    /// <summary>In place on K matrices [K, T, T]: vit-explain's a = (F + I)/2; a / a.sum(dim=-1), which divides entry
    /// (i, j) by the sum of row j (the /2 cancels exactly).</summary>
    public void VitExplainNormalise(Tensor fused, int tokens)
    {
        Require(tokens > 0 && fused.Length > 0 && fused.Length % (tokens * tokens) == 0,
            $"vit-explain normalisation: {fused.Length} elements are not K matrices of {tokens}x{tokens}");
        using var sums = Tensor.Empty(_device, fused.Length / tokens);
        var (tr, wr) = Plan(sums.Length);
        _rowSums ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(RowSumsKernel);
        _rowSums(tr, wr, fused.View, sums.View, tokens);
        var (te, we) = Plan(fused.Length);
        _divideByColumnRowSum ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(DivideByColumnRowSumKernel);
        _divideByColumnRowSum(te, we, fused.View, sums.View, tokens);
    }

    /// <summary>In place: each of the maps [K, ...] (K maps of <paramref name="perMap"/> values) divided by its maximum,
    /// as vit-explain's <c>mask / np.max(mask)</c>; a map whose maximum is not positive is left unchanged (vit-explain
    /// would give NaN or flip signs there).</summary>
    public void DivideByMax(Tensor maps, int perMap)
    {
        Require(perMap > 0 && maps.Length % perMap == 0, $"divide by max: {maps.Length} values are not maps of {perMap}");
        var (threads, w) = Plan(maps.Length / perMap);
        _divideByMax ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, int>(DivideByMaxKernel);
        _divideByMax(threads, w, maps.View, perMap);
    }

    /// <summary>
    /// vit-explain's attention rollout mask [1, g, g]: per layer the fused heads (<paramref name="fusion"/>), the
    /// ⌊d·T²⌋ lowest entries zeroed except flat index 0, its normalisation (<see cref="VitExplainNormalise"/>); the
    /// class row of the product, divided by its maximum. attentions[l] [H, T, T] in forward order.
    /// </summary>
    public void VitExplainRolloutMap(IReadOnlyList<Tensor> attentions, HeadFusion fusion, double discardRatio, Tensor map)
    {
        Require(attentions.Count > 0, "vit-explain rollout: no layers");
        int tokens = AttentionShape(attentions[0], "vit-explain rollout").Tokens;
        foreach (var a in attentions)
            Require(AttentionShape(a, "vit-explain rollout").Tokens == tokens, $"vit-explain rollout: layers of {tokens} and {a.Shape[^1]} tokens");
        int g = GridSide(tokens);
        Require(map.Length == g * g, $"vit-explain rollout: map of {map.Length} for one map of {g}x{g}");
        ClassRowProduct(attentions.Count, 1, tokens, (l, hat) =>
        {
            FuseHeads(attentions[l], fusion, hat);
            Discard(hat, tokens, discardRatio, DiscardExemption.FirstEntry);
            VitExplainNormalise(hat, tokens);
        }, map);
        DivideByMax(map, g * g);
    }

    /// <summary>
    /// vit-explain's gradient rollout masks [K, g, g] from the gradients with respect to the probabilities (what the
    /// tape gives), attentions[l] [H, T, T] and gradients[l] [K, H, T, T] both in forward order. As vit-explain's hooks
    /// capture them, layer l's attention is paired with layer L−1−l's gradient, and that gradient is the one with
    /// respect to the softmax's input (<see cref="ScoreGradient"/>); fused as ReLU(mean_h A ⊙ S), the ⌊d·T²⌋ lowest
    /// entries zeroed with no exemption, normalised as <see cref="VitExplainNormalise"/>, divided by the maximum.
    /// </summary>
    public void VitExplainGradientRolloutMap(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, double discardRatio, Tensor map)
    {
        int k = CheckGradientLayers(attentions, gradients, "vit-explain gradient rollout");
        int layers = attentions.Count, tokens = attentions[0].Shape[^1], g = GridSide(tokens);
        Require(map.Length == k * g * g, $"vit-explain gradient rollout: map of {map.Length} for {k} maps of {g}x{g}");
        using var scores = Tensor.Empty(_device, gradients[0].Shape);
        ClassRowProduct(layers, k, tokens, (l, hat) =>
        {
            int paired = layers - 1 - l;
            ScoreGradient(attentions[paired], gradients[paired], scores);
            FuseMeanThenRelu(attentions[l], scores, hat);
            Discard(hat, tokens, discardRatio, DiscardExemption.None);
            VitExplainNormalise(hat, tokens);
        }, map);
        DivideByMax(map, g * g);
    }
}
