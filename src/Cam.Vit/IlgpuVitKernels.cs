using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam.Vit;

/// <summary>
/// Device kernels that turn a ViT's captured attention probabilities (and their gradients) into explanation maps:
/// attention rollout, gradient attention rollout and Grad-CAM on a token layer (docs/vit-explain.md). One per
/// device (<see cref="For"/>). Kernels follow the engine's pattern: a <see cref="Work"/> split over coarse CPU
/// threads or many GPU threads, each work item owning its outputs (no atomics, no barriers). Work items: one per
/// fused entry (k, i, j), one per matrix for the discard threshold (a radix select), one per row for the
/// renormalisation, one per (k, j) for the class row times a layer's matrix, one per (k, channel) for token Grad-CAM
/// weights and one per (k, patch) for maps; the optional full product R uses the backend's batched GEMM.
/// </summary>
public sealed partial class IlgpuVitKernels : KernelSet
{
    static readonly ConditionalWeakTable<Device, IlgpuVitKernels> _cache = new();

    IlgpuVitKernels(Device device) : base(device) { }

    /// <summary>The kernels of <paramref name="device"/> (compiled on first use, then cached).</summary>
    public static IlgpuVitKernels For(Device device) => _cache.GetValue(device, d => new IlgpuVitKernels(d));

    /// <summary>Side g of the g×g patch grid of <paramref name="tokens"/> tokens (the class token plus g² patches).</summary>
    public static int GridSide(int tokens)
    {
        int g = tokens > 1 ? (int)Math.Round(Math.Sqrt(tokens - 1)) : 0;
        Require(g > 0 && g * g == tokens - 1, $"ViT explanation: {tokens} tokens are not a class token plus a square patch grid");
        return g;
    }

    /// <summary>Heads and tokens of one image's attention probabilities, [H, T, T] or [1, H, T, T].</summary>
    static (int Heads, int Tokens) AttentionShape(Tensor a, string what)
    {
        Require((a.Rank == 3 || (a.Rank == 4 && a.Shape[0] == 1)) && a.Shape[^1] == a.Shape[^2] && a.Length > 0,
            $"{what}: attention {Tensor.Format(a.Shape)} must be one image's [H, T, T] (or [1, H, T, T])");
        return (a.Shape[^3], a.Shape[^1]);
    }

    // ---- head fusion ---------------------------------------------------------------------------------------

    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, int, int>? _fuse;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _gradientFuse;

    // One work item per entry (i, j) of the T×T plane: the mean, max or min of its H head values.
    static void FuseKernel(Index1D t, Work w, int fusion, ArrayView<float> a, ArrayView<float> fused, int heads, int plane)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int p = ch; p < w.End(ch); p++)
            {
                float acc = a[p];
                for (int h = 1; h < heads; h++)
                {
                    float v = a[h * plane + p];
                    if (fusion == (int)HeadFusion.Max) acc = v > acc ? v : acc;
                    else if (fusion == (int)HeadFusion.Min) acc = v < acc ? v : acc;
                    else acc += v;
                }
                fused[p] = fusion == (int)HeadFusion.Mean ? acc / heads : acc;
            }
    }

    // One work item per (k, i, j): mean over heads of ReLU(A[h, i, j] · G[k, h, i, j]).
    static void GradientFuseKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> g, ArrayView<float> fused, int heads, int plane)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / plane, p = item % plane;
                float sum = 0;
                for (int h = 0; h < heads; h++)
                {
                    float v = a[h * plane + p] * g[(k * heads + h) * plane + p];
                    if (v > 0) sum += v;
                }
                fused[item] = sum / heads;
            }
    }

    /// <summary>fused[i, j] = mean, max or min over h of attention[h, i, j]: [H, T, T] → [T, T] (any shape of T² elements).</summary>
    public void FuseHeads(Tensor attention, HeadFusion fusion, Tensor fused)
    {
        var (heads, tokens) = AttentionShape(attention, "head fusion");
        Require(Enum.IsDefined(fusion), $"head fusion: unknown fusion {fusion}");
        Require(fused.Length == tokens * tokens, $"head fusion: output of {fused.Length} elements for {tokens}x{tokens}");
        var (threads, w) = Plan(fused.Length);
        _fuse ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, int, int>(FuseKernel);
        _fuse(threads, w, (int)fusion, attention.View, fused.View, heads, tokens * tokens);
    }

    /// <summary>
    /// fused[k, i, j] = mean over h of ReLU(attention[h, i, j] · gradient[k, h, i, j]): the attention [H, T, T] of a
    /// layer and the K targets' gradients [K, H, T, T] with respect to those same probabilities → [K, T, T].
    /// </summary>
    public void FuseGradientHeads(Tensor attention, Tensor gradient, Tensor fused)
    {
        var (heads, tokens) = AttentionShape(attention, "gradient head fusion");
        int plane = tokens * tokens;
        Require(gradient.Rank == 4 && gradient.Shape[1] == heads && gradient.Shape[2] == tokens && gradient.Shape[3] == tokens,
            $"gradient head fusion: gradient {Tensor.Format(gradient.Shape)} must be [K, {heads}, {tokens}, {tokens}]");
        Require(fused.Length == gradient.Shape[0] * plane, $"gradient head fusion: output of {fused.Length} elements for {gradient.Shape[0]} targets of {tokens}x{tokens}");
        var (threads, w) = Plan(fused.Length);
        _gradientFuse ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GradientFuseKernel);
        _gradientFuse(threads, w, attention.View, gradient.View, fused.View, heads, plane);
    }

    // ---- discard, identity, row renormalisation ------------------------------------------------------------

    Action<Index1D, Work, ArrayView<float>, int, int, int>? _discard;
    Action<Index1D, Work, ArrayView<float>, int>? _normalise;

    // Order-preserving unsigned key of a float: the IEEE bits of a non-negative float already sort as integers;
    // a negative one flips its magnitude bits so that it sorts below and in reverse; the sign bit is then flipped
    // so that unsigned comparison orders all keys.
    static uint Key(float v)
    {
        int bits = (int)Interop.FloatAsInt(v);
        return (uint)(bits >= 0 ? bits : bits ^ 0x7FFFFFFF) ^ 0x80000000u;
    }

    // One work item per matrix: zero its `drop` lowest entries (ascending value, ties by flat index, i.e. the first
    // `drop` of a stable sort) except the exempt ones (DiscardExemption: row 0 and column 0, only flat index 0, or
    // none). Sort-free radix select: four passes, each a
    // 256-bin histogram of the next 8 bits of the keys that share the bits chosen so far, find τ, the drop-th
    // smallest key, and how many of the entries equal to τ belong to the lowest `drop`; a last pass in flat order
    // zeroes every key below τ and that many keys equal to τ.
    static void DiscardKernel(Index1D t, Work w, ArrayView<float> f, int tokens, int drop, int exemption)
    {
        int n = tokens * tokens;
        var histogram = LocalMemory.Allocate<int>(256);
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int k = ch; k < w.End(ch); k++)
            {
                int start = k * n;
                uint prefix = 0;
                int rank = drop; // rank (1-based) of τ among the keys that match the prefix
                for (int shift = 24; shift >= 0; shift -= 8)
                {
                    uint high = shift == 24 ? 0u : 0xFFFFFFFFu << (shift + 8);
                    for (int b = 0; b < 256; b++) histogram[b] = 0;
                    for (int p = 0; p < n; p++)
                    {
                        uint key = Key(f[start + p]);
                        if ((key & high) == prefix) histogram[(int)((key >> shift) & 255u)]++;
                    }
                    int bin = 0;
                    while (bin < 255 && histogram[bin] < rank) rank -= histogram[bin++];
                    prefix |= (uint)bin << shift;
                }
                int ties = rank; // the first `rank` entries equal to τ (in flat order) are among the lowest
                for (int p = 0; p < n; p++)
                {
                    uint key = Key(f[start + p]);
                    bool lowest = key < prefix;
                    if (key == prefix && ties > 0) { lowest = true; ties--; }
                    bool exempt = exemption == (int)DiscardExemption.ClassRowAndColumn ? p / tokens == 0 || p % tokens == 0
                        : exemption == (int)DiscardExemption.FirstEntry && p == 0;
                    if (lowest && !exempt) f[start + p] = 0;
                }
            }
    }

    // One work item per row i of matrix k: Â[i, :] = (F[i, :] + e_i) / Σ_j (F[i, j] + δ_ij), in place.
    static void NormaliseKernel(Index1D t, Work w, ArrayView<float> f, int tokens)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int row = ch; row < w.End(ch); row++)
            {
                int i = row % tokens, start = row * tokens;
                float sum = 1;
                for (int j = 0; j < tokens; j++) sum += f[start + j];
                float scale = sum != 0 ? 1f / sum : 0f;
                for (int j = 0; j < tokens; j++) f[start + j] = ((j == i ? 1f : 0f) + f[start + j]) * scale;
            }
    }

    /// <summary>
    /// In place on K fused matrices [K, T, T]: zero the m = ⌊ratio·T²⌋ lowest entries of each (ascending value,
    /// ties by flat index) except those in row 0 or column 0 (the class token), add the identity, and divide each
    /// ROW by its sum. The result Â is row-stochastic.
    /// </summary>
    public void DiscardAndNormalise(Tensor fused, int tokens, double discardRatio)
    {
        Discard(fused, tokens, discardRatio, DiscardExemption.ClassRowAndColumn);
        int k = fused.Length / (tokens * tokens);
        var (threads, w) = Plan(k * tokens);
        _normalise ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, int>(NormaliseKernel);
        _normalise(threads, w, fused.View, tokens);
    }

    /// <summary>
    /// In place on K fused matrices [K, T, T]: zero the m = ⌊ratio·T²⌋ lowest entries of each (ascending value, ties
    /// by flat index; m in double from the product ratio·(T²), as Python's int(T² · ratio)), except the
    /// <paramref name="exemption"/>'s entries, which still count towards m.
    /// </summary>
    public void Discard(Tensor fused, int tokens, double discardRatio, DiscardExemption exemption)
    {
        Require(tokens > 0 && fused.Length > 0 && fused.Length % (tokens * tokens) == 0,
            $"discard: {fused.Length} elements are not K matrices of {tokens}x{tokens}");
        Require(discardRatio >= 0 && discardRatio <= 1, $"discard: ratio {discardRatio} is not in [0, 1]");
        Require(Enum.IsDefined(exemption), $"discard: unknown exemption {exemption}");
        int k = fused.Length / (tokens * tokens);
        int drop = (int)Math.Floor(discardRatio * (tokens * tokens));
        if (drop == 0) return;
        var (tk, wk) = Plan(k);
        _discard ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, int, int, int>(DiscardKernel);
        _discard(tk, wk, fused.View, tokens, drop, (int)exemption);
    }

    // ---- the product over layers ------------------------------------------------------------------------

    /// <summary>
    /// Attention rollout: R = Â_{L−1} ··· Â_0 ([T, T], or [1, T, T]) with Â_l the fused (<paramref name="fusion"/>),
    /// discarded and row-normalised attention of layer l (<see cref="DiscardAndNormalise"/>). attentions[l] is
    /// layer l's [H, T, T] in forward order.
    /// </summary>
    public void AttentionRollout(IReadOnlyList<Tensor> attentions, HeadFusion fusion, double discardRatio, Tensor rollout)
    {
        Require(attentions.Count > 0, "attention rollout: no layers");
        int tokens = AttentionShape(attentions[0], "attention rollout").Tokens;
        foreach (var a in attentions)
            Require(AttentionShape(a, "attention rollout").Tokens == tokens, $"attention rollout: layers of {tokens} and {a.Shape[^1]} tokens");
        Require(rollout.Length == tokens * tokens, $"attention rollout: output of {rollout.Length} elements for {tokens}x{tokens}");
        Product(attentions.Count, 1, tokens, (l, hat) => { FuseHeads(attentions[l], fusion, hat); DiscardAndNormalise(hat, tokens, discardRatio); }, rollout);
    }

    /// <summary>
    /// Gradient attention rollout for K targets: R[k] = Â_{L−1}[k] ··· Â_0[k] ([K, T, T]) with Â_l[k] built from
    /// mean_h ReLU(A_l ⊙ G_l[k]) (<see cref="FuseGradientHeads"/>). attentions[l] ([H, T, T]) and gradients[l]
    /// ([K, H, T, T], the gradient with respect to attentions[l] itself) are both in forward layer order.
    /// </summary>
    public void GradientRollout(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, double discardRatio, Tensor rollout)
    {
        int k = CheckGradientLayers(attentions, gradients, "gradient rollout");
        int tokens = attentions[0].Shape[^1];
        Require(rollout.Length == k * tokens * tokens, $"gradient rollout: output of {rollout.Length} elements for {k} targets of {tokens}x{tokens}");
        Product(attentions.Count, k, tokens, (l, hat) => { FuseGradientHeads(attentions[l], gradients[l], hat); DiscardAndNormalise(hat, tokens, discardRatio); }, rollout);
    }

    // Both lists in forward order, the same heads and tokens in every layer; returns K.
    static int CheckGradientLayers(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, string what)
    {
        Require(attentions.Count > 0 && gradients.Count == attentions.Count,
            $"{what}: {attentions.Count} attention layers and {gradients.Count} gradient layers");
        var (heads, tokens) = AttentionShape(attentions[0], what);
        Require(gradients[0].Rank == 4 && gradients[0].Shape[0] > 0, $"{what}: gradient {Tensor.Format(gradients[0].Shape)} must be [K, H, T, T]");
        int k = gradients[0].Shape[0];
        for (int l = 0; l < attentions.Count; l++)
        {
            var (h, t) = AttentionShape(attentions[l], what);
            Require(h == heads && t == tokens && gradients[l].Rank == 4 && gradients[l].Shape[0] == k
                && gradients[l].Shape[1] == heads && gradients[l].Shape[2] == tokens && gradients[l].Shape[3] == tokens,
                $"{what}: layer {l} attention {Tensor.Format(attentions[l].Shape)} and gradient {Tensor.Format(gradients[l].Shape)} must be [H, T, T] and [K, H, T, T] like layer 0's [{heads}, {tokens}, {tokens}] and [{k}, {heads}, {tokens}, {tokens}]");
        }
        return k;
    }

    // R = Â_{L−1} ··· Â_0 for K matrices, each new layer multiplying from the left (R ← Â_l · R); build(l, m) writes
    // layer l's Â into m [K, T, T]. The running product ping-pongs between `rollout` and one spare buffer; the start
    // is chosen so the last product lands in `rollout` (GEMM's output must not overlap its inputs).
    void Product(int layers, int k, int tokens, Action<int, Tensor> build, Tensor rollout)
    {
        using var hat = Tensor.Empty(_device, k, tokens, tokens);
        using var spare = Tensor.Empty(_device, k, tokens, tokens);
        using var output = rollout.Reshape(k, tokens, tokens);
        var (current, next) = (layers - 1) % 2 == 0 ? (output, spare) : (spare, output);
        build(0, current);
        var layout = MatrixLayout.RowMajor(k, tokens, tokens);
        for (int l = 1; l < layers; l++)
        {
            build(l, hat);
            _device.Backend.Gemm(hat, layout, current, layout, next, layout, k, tokens, tokens, tokens);
            (current, next) = (next, current);
        }
    }

    // ---- maps on the patch grid --------------------------------------------------------------------------

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int>? _classRow;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _rowTimesMatrix;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int>? _tokenWeights;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _tokenMap;

    // One work item per (k, patch p): map[k, p] = r[k·stride + 1 + p] (the class row of R[k], stride T², or of a
    // class-row vector, stride T).
    static void ClassRowKernel(Index1D t, Work w, ArrayView<float> r, ArrayView<float> map, int tokens, int stride)
    {
        int patches = tokens - 1;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
                map[item] = r[item / patches * stride + 1 + item % patches];
    }

    // One work item per (k, j): vOut[k, j] = Σ_i v[k, i] · Â[k, i, j], or Â[k, 0, j] when `fromClassToken` (v = e_0).
    static void RowTimesMatrixKernel(Index1D t, Work w, ArrayView<float> v, ArrayView<float> hat, ArrayView<float> vOut, int tokens, int fromClassToken)
    {
        int plane = tokens * tokens;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / tokens, j = item % tokens, b = k * plane + j;
                float sum = 0;
                if (fromClassToken != 0) sum = hat[b];
                else
                    for (int i = 0; i < tokens; i++) sum += v[k * tokens + i] * hat[b + i * tokens];
                vOut[item] = sum;
            }
    }

    /// <summary>The class token's row over the patches, R[k, 0, 1:], as K maps [K, g, g] (g² = T − 1, row-major patches).</summary>
    public void ClassTokenMap(Tensor rollout, int tokens, Tensor map)
    {
        int g = GridSide(tokens);
        Require(rollout.Length > 0 && rollout.Length % (tokens * tokens) == 0, $"class-token map: {rollout.Length} elements are not K matrices of {tokens}x{tokens}");
        int k = rollout.Length / (tokens * tokens);
        Require(map.Length == k * g * g, $"class-token map: map of {map.Length} for {k} maps of {g}x{g}");
        var (threads, w) = Plan(map.Length);
        _classRow ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int>(ClassRowKernel);
        _classRow(threads, w, rollout.View, map.View, tokens, tokens * tokens);
    }

    /// <summary>
    /// The attention-rollout map [1, g, g] without forming R: only its class row is needed, e_0ᵀ Â_{L−1} ··· Â_0,
    /// a row vector times one matrix per layer (from the last layer down), T² work per layer instead of T³.
    /// Equal to <see cref="AttentionRollout"/> then <see cref="ClassTokenMap"/>.
    /// </summary>
    public void AttentionRolloutMap(IReadOnlyList<Tensor> attentions, HeadFusion fusion, double discardRatio, Tensor map)
    {
        Require(attentions.Count > 0, "attention rollout map: no layers");
        int tokens = AttentionShape(attentions[0], "attention rollout map").Tokens;
        foreach (var a in attentions)
            Require(AttentionShape(a, "attention rollout map").Tokens == tokens, $"attention rollout map: layers of {tokens} and {a.Shape[^1]} tokens");
        int g = GridSide(tokens);
        Require(map.Length == g * g, $"attention rollout map: map of {map.Length} for one map of {g}x{g}");
        ClassRowProduct(attentions.Count, 1, tokens, (l, hat) => { FuseHeads(attentions[l], fusion, hat); DiscardAndNormalise(hat, tokens, discardRatio); }, map);
    }

    /// <summary>
    /// The gradient-rollout maps [K, g, g] without forming R (see <see cref="AttentionRolloutMap"/>); equal to
    /// <see cref="GradientRollout"/> then <see cref="ClassTokenMap"/>.
    /// </summary>
    public void GradientRolloutMap(IReadOnlyList<Tensor> attentions, IReadOnlyList<Tensor> gradients, double discardRatio, Tensor map)
    {
        int k = CheckGradientLayers(attentions, gradients, "gradient rollout map");
        int tokens = attentions[0].Shape[^1], g = GridSide(tokens);
        Require(map.Length == k * g * g, $"gradient rollout map: map of {map.Length} for {k} maps of {g}x{g}");
        ClassRowProduct(attentions.Count, k, tokens, (l, hat) => { FuseGradientHeads(attentions[l], gradients[l], hat); DiscardAndNormalise(hat, tokens, discardRatio); }, map);
    }

    // v_k = e_0ᵀ Â_{L−1,k} ··· Â_{0,k}, multiplied from the left end: v ← v · Â_l for l = L−1 down to 0; build(l, m)
    // writes layer l's Â into m [K, T, T].
    void ClassRowProduct(int layers, int k, int tokens, Action<int, Tensor> build, Tensor map)
    {
        using var hat = Tensor.Empty(_device, k, tokens, tokens);
        using var v0 = Tensor.Empty(_device, k, tokens);
        using var v1 = Tensor.Empty(_device, k, tokens);
        var (current, next) = (v0, v1);
        var (threads, w) = Plan(k * tokens);
        _rowTimesMatrix ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(RowTimesMatrixKernel);
        for (int l = layers - 1; l >= 0; l--)
        {
            build(l, hat);
            _rowTimesMatrix(threads, w, current.View, hat.View, next.View, tokens, l == layers - 1 ? 1 : 0);
            (current, next) = (next, current);
        }
        var (tm, wm) = Plan(map.Length);
        _classRow ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int>(ClassRowKernel);
        _classRow(tm, wm, current.View, map.View, tokens, tokens);
    }

    // One work item per (k, c): the mean over the patch tokens 1..T−1 of G[k, :, c].
    static void TokenWeightsKernel(Index1D t, Work w, ArrayView<float> g, ArrayView<float> weights, int tokens, int channels)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / channels, c = item % channels;
                float sum = 0;
                for (int n = 1; n < tokens; n++) sum += g[(k * tokens + n) * channels + c];
                weights[item] = sum / (tokens - 1);
            }
    }

    // One work item per (k, patch p): ReLU(Σ_c w[k, c] · X[1 + p, c]).
    static void TokenMapKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> weights, ArrayView<float> map, int tokens, int channels)
    {
        int patches = tokens - 1;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / patches, row = (1 + item % patches) * channels;
                float sum = 0;
                for (int c = 0; c < channels; c++) sum += weights[k * channels + c] * x[row + c];
                map[item] = sum > 0 ? sum : 0f;
            }
    }

    /// <summary>
    /// Grad-CAM on a token layer: activations [T, C] (or [1, T, C]) and the K targets' gradients [K, T, C]. The class
    /// token is dropped and tokens 1..T−1 are read as the g×g patch grid (pytorch-grad-cam's reshape transform);
    /// w[k, c] = mean over the grid of G[k, ·, c] and map[k] = ReLU(Σ_c w[k, c] · X[·, c]) → [K, g, g].
    /// </summary>
    public void TokenGradCam(Tensor tokens, Tensor gradient, Tensor map)
    {
        Require((tokens.Rank == 2 || (tokens.Rank == 3 && tokens.Shape[0] == 1)) && tokens.Length > 0,
            $"token Grad-CAM: activation {Tensor.Format(tokens.Shape)} must be one image's [T, C] (or [1, T, C])");
        int t = tokens.Shape[^2], c = tokens.Shape[^1], g = GridSide(t);
        Require(gradient.Rank == 3 && gradient.Shape[1] == t && gradient.Shape[2] == c,
            $"token Grad-CAM: gradient {Tensor.Format(gradient.Shape)} must be [K, {t}, {c}]");
        int k = gradient.Shape[0];
        Require(k > 0 && map.Length == k * g * g, $"token Grad-CAM: map of {map.Length} for {k} maps of {g}x{g}");
        using var weights = Tensor.Empty(_device, k, c);
        var (tw, ww) = Plan(k * c);
        _tokenWeights ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int>(TokenWeightsKernel);
        _tokenWeights(tw, ww, gradient.View, weights.View, t, c);
        var (tm, wm) = Plan(map.Length);
        _tokenMap ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(TokenMapKernel);
        _tokenMap(tm, wm, tokens.View, weights.View, map.View, t, c);
    }
}
