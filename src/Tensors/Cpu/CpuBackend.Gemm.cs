namespace NativeCam.Tensors;

// Batched GEMM over MatrixLayouts (docs/ops/dense.md) on the packed SIMD Sgemm (docs/cpu-backend.md, GEMM).
public sealed partial class CpuBackend
{
    /// <summary>Below this many multiply-adds per matrix, a batch is spread over the cores one matrix per task
    /// (attention heads); above it each product spreads itself.</summary>
    const long SmallGemm = 1L << 22;

    public unsafe void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n)
    {
        if (!BackendChecks.Gemm(a, la, b, lb, c, lc, batch, m, k, n)) return;
        float* pa = a.Pointer, pb = b.Pointer, pc = c.Pointer;

        void Product(int i, bool parallel) => Sgemm.Multiply(m, n, k,
            pa + (long)(i % la.Batches) * la.BatchStride, la.RowStride, la.ColStride,
            pb + (long)(i % lb.Batches) * lb.BatchStride, lb.RowStride, lb.ColStride,
            pc + (long)i * lc.BatchStride, lc.RowStride, lc.ColStride, parallel: parallel);

        long work = (long)m * n * k;
        if (batch >= 2 && work < SmallGemm && batch * work >= Sgemm.ParallelThreshold)
            CpuParallel.For(batch, 1, (start, end) =>
            {
                for (int i = start; i < end; i++) Product(i, false);
            });
        else
            for (int i = 0; i < batch; i++) Product(i, true);
    }
}
