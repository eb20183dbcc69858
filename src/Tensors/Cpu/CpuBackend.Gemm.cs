namespace NativeCam.Tensors;

// Batched GEMM over MatrixLayouts: not yet ported, still the ILGPU kernel on the same host buffers.
public sealed partial class CpuBackend
{
    public void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n) => _ilgpu.Gemm(a, la, b, lb, c, lc, batch, m, k, n);
}
