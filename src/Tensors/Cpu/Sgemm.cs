namespace NativeCam.Tensors;

/// <summary>
/// Single-precision GEMM on host pointers: C = A·B, or C += A·B when <c>accumulate</c>, with A [m, k],
/// B [k, n] and C [m, n] each addressed through a row and a column stride (in elements), so transposed
/// operands cost nothing. <c>parallel</c> = false keeps the work on the calling thread (for callers that
/// already split work over the cores). <c>rowBias</c> (optional, m values) is added to every element of row i
/// (a convolution's bias, fused into the GEMM's store).
/// </summary>
internal static unsafe partial class Sgemm
{
    // PLACEHOLDER (being replaced by the packed Vector512 kernel): a plain loop, correct but slow.
    public static void Multiply(int m, int n, int k,
        float* a, long aRow, long aCol, float* b, long bRow, long bCol, float* c, long cRow, long cCol,
        bool accumulate = false, bool parallel = true, float* rowBias = null)
    {
        void Rows(int r0, int r1)
        {
            for (int i = r0; i < r1; i++)
                for (int j = 0; j < n; j++)
                {
                    float s = (accumulate ? c[i * cRow + j * cCol] : 0f) + (rowBias != null ? rowBias[i] : 0f);
                    for (int p = 0; p < k; p++) s += a[i * aRow + p * aCol] * b[p * bRow + j * bCol];
                    c[i * cRow + j * cCol] = s;
                }
        }
        if (parallel) CpuParallel.For(m, 1, Rows); else Rows(0, m);
    }
}
