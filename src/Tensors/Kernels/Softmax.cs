using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Softmax over the last axis. One work item per row: the row is short (ViT: 197 attention scores), so
// three passes over it (max, sum of exponentials, normalise) stay in cache.
public sealed partial class IlgpuBackend
{
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _softmax;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _softmaxBackward;

    // Subtracting the row maximum keeps every exponent ≤ 0: no overflow for large logits, same result.
    static void SoftmaxKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> y, int n)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int row = c; row < w.End(c); row++)
            {
                int start = row * n;
                float max = x[start];
                for (int j = 1; j < n; j++) max = XMath.Max(max, x[start + j]);
                float sum = 0;
                for (int j = 0; j < n; j++)
                {
                    float e = XMath.Exp(x[start + j] - max);
                    y[start + j] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int j = 0; j < n; j++) y[start + j] *= inv;
            }
    }

    // gx = y ⊙ (gy − ⟨gy, y⟩) per row: the Jacobian diag(y) − y yᵀ applied to gy. Rows are K·rows long;
    // the saved output row is row mod rows.
    static void SoftmaxBackwardKernel(Index1D t, Work w, ArrayView<float> y, ArrayView<float> gy, ArrayView<float> gx, int n)
    {
        int rows = (int)y.Length / n;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int row = c; row < w.End(c); row++)
            {
                int g = row * n, f = row % rows * n;
                float dot = 0;
                for (int j = 0; j < n; j++) dot += gy[g + j] * y[f + j];
                for (int j = 0; j < n; j++) gx[g + j] = y[f + j] * (gy[g + j] - dot);
            }
    }

    public void Softmax(Tensor x, Tensor y, int n)
    {
        SameLength(x, y, "softmax");
        Require(n > 0 && x.Length % n == 0, $"softmax: rows of {n} do not tile {Tensor.Format(x.Shape)}");
        var (threads, w) = Plan(x.Length / n);
        if (threads == 0) return;
        _softmax ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(SoftmaxKernel);
        _softmax(threads, w, x.View, y.View, n);
    }

    public void SoftmaxBackward(Tensor y, Tensor gy, Tensor gx, int n)
    {
        SameLength(gy, gx, "softmax backward");
        TargetCount(y, gy, "softmax backward");
        Require(n > 0 && y.Length % n == 0, $"softmax backward: rows of {n} do not tile {Tensor.Format(y.Shape)}");
        var (threads, w) = Plan(gy.Length / n);
        if (threads == 0) return;
        _softmaxBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(SoftmaxBackwardKernel);
        _softmaxBackward(threads, w, y.View, gy.View, gx.View, n);
    }
}
