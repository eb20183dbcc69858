using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Fill, accumulate and the fold of a leading target batch: the plumbing every other op leans on.
public sealed partial class IlgpuBackend
{
    Action<Index1D, Work, ArrayView<float>, float>? _fill;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>>? _accumulate;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _sumLeading;

    static void FillKernel(Index1D t, Work w, ArrayView<float> x, float value)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++) x[i] = value;
    }

    static void AccumulateKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++) dst[i] += src[i];
    }

    // One work item per output element j; it walks the K copies.
    static void SumLeadingKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst, int k)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int j = c; j < w.End(c); j++)
            {
                float s = 0;
                for (int q = 0; q < k; q++) s += src[q * w.N + j];
                dst[j] = s;
            }
    }

    public void Fill(Tensor t, float value)
    {
        var (threads, w) = Plan(t.Length);
        if (threads == 0) return;
        _fill ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, float>(FillKernel);
        _fill(threads, w, t.View, value);
    }

    public void Accumulate(Tensor src, Tensor dst)
    {
        SameLength(src, dst, "accumulate");
        var (threads, w) = Plan(dst.Length);
        if (threads == 0) return;
        _accumulate ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>>(AccumulateKernel);
        _accumulate(threads, w, src.View, dst.View);
    }

    public void SumLeading(Tensor src, Tensor dst)
    {
        int k = TargetCount(dst, src, "sum over targets");
        var (threads, w) = Plan(dst.Length);
        if (threads == 0) return;
        _sumLeading ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(SumLeadingKernel);
        _sumLeading(threads, w, src.View, dst.View, k);
    }
}
