using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// LayerNorm over the last axis with an affine gamma/beta. The forward writes each row's mean and
// 1/std into a small stats tensor ([rows, 2]) so that the backward passes (one per row for gx, one per
// (target, column) for gamma/beta) need not recompute them: the gamma kernel would otherwise redo a
// full row reduction for every row it visits, for every column.
public sealed partial class IlgpuBackend
{
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>? _layerNorm;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _layerNormBackward;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _layerNormAffine;

    // One item per row: mean, then the biased variance as the mean of squared deviations (two passes:
    // no cancellation for rows with a large mean), then normalise and apply gamma/beta.
    static void LayerNormKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> y, ArrayView<float> stats, float eps)
    {
        int n = (int)gamma.Length;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int row = c; row < w.End(c); row++)
            {
                int start = row * n;
                float sum = 0;
                for (int j = 0; j < n; j++) sum += x[start + j];
                float mean = sum / n;
                float sq = 0;
                for (int j = 0; j < n; j++) { float d = x[start + j] - mean; sq += d * d; }
                float rstd = XMath.Rsqrt(sq / n + eps);
                for (int j = 0; j < n; j++) y[start + j] = (x[start + j] - mean) * rstd * gamma[j] + beta[j];
                stats[2 * row] = mean;
                stats[2 * row + 1] = rstd;
            }
    }

    // One item per gradient row (K·rows of them). With g = gy ⊙ gamma:
    // gx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)); x and stats are read at row mod rows.
    static void LayerNormBackwardKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> stats,
        ArrayView<float> gy, ArrayView<float> gx)
    {
        int n = (int)gamma.Length, rows = (int)x.Length / n;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int row = c; row < w.End(c); row++)
            {
                int fr = row % rows, g0 = row * n, x0 = fr * n;
                float mean = stats[2 * fr], rstd = stats[2 * fr + 1];
                float sumG = 0, sumGx = 0;
                for (int j = 0; j < n; j++)
                {
                    float g = gy[g0 + j] * gamma[j];
                    sumG += g;
                    sumGx += g * (x[x0 + j] - mean) * rstd;
                }
                float meanG = sumG / n, meanGx = sumGx / n;
                for (int j = 0; j < n; j++)
                {
                    float xhat = (x[x0 + j] - mean) * rstd;
                    gx[g0 + j] = rstd * (gy[g0 + j] * gamma[j] - meanG - xhat * meanGx);
                }
            }
    }

    // One item per (target k, column j): sums over that target's rows only.
    static void LayerNormAffineKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> stats, ArrayView<float> gy,
        ArrayView<float> ggamma, ArrayView<float> gbeta, int n)
    {
        int rows = (int)x.Length / n;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int k = item / n, j = item % n;
                float sumGamma = 0, sumBeta = 0;
                for (int r = 0; r < rows; r++)
                {
                    float g = gy[(k * rows + r) * n + j];
                    sumGamma += g * (x[r * n + j] - stats[2 * r]) * stats[2 * r + 1];
                    sumBeta += g;
                }
                ggamma[item] = sumGamma;
                gbeta[item] = sumBeta;
            }
    }

    void CheckLayerNorm(Tensor x, Tensor gamma, Tensor stats, string what)
    {
        int n = gamma.Length;
        Require(n > 0 && x.Length % n == 0, $"{what}: rows of {n} (gamma) do not tile {Tensor.Format(x.Shape)}");
        Require(stats.Length == 2 * (x.Length / n), $"{what}: stats must hold 2 values per row ({2 * (x.Length / n)}), not {stats.Length}");
    }

    public void LayerNorm(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor stats, float eps)
    {
        SameLength(x, y, "layernorm");
        SameLength(gamma, beta, "layernorm gamma/beta");
        CheckLayerNorm(x, gamma, stats, "layernorm");
        var (threads, w) = Plan(x.Length / gamma.Length);
        if (threads == 0) return;
        _layerNorm ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(LayerNormKernel);
        _layerNorm(threads, w, x.View, gamma.View, beta.View, y.View, stats.View, eps);
    }

    public void LayerNormBackward(Tensor x, Tensor gamma, Tensor stats, Tensor gy, Tensor gx)
    {
        SameLength(gy, gx, "layernorm backward");
        TargetCount(x, gy, "layernorm backward");
        CheckLayerNorm(x, gamma, stats, "layernorm backward");
        var (threads, w) = Plan(gy.Length / gamma.Length);
        if (threads == 0) return;
        _layerNormBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(LayerNormBackwardKernel);
        _layerNormBackward(threads, w, x.View, gamma.View, stats.View, gy.View, gx.View);
    }

    public void LayerNormBackwardAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta)
    {
        var (k, n) = BackendChecks.LayerNormAffine(x, stats, gy, ggamma, gbeta);
        var (threads, w) = Plan(ggamma.Length);
        if (threads == 0) return;
        _layerNormAffine ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LayerNormAffineKernel);
        _layerNormAffine(threads, w, x.View, stats.View, gy.View, ggamma.View, gbeta.View, n);
    }
}
