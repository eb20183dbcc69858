namespace NativeCam.Tensors;

// Dense ops: not yet ported, still the ILGPU kernels on the same host buffers.
public sealed partial class CpuBackend
{
    public void Softmax(Tensor x, Tensor y, int n) => _ilgpu.Softmax(x, y, n);

    public void SoftmaxBackward(Tensor y, Tensor gy, Tensor gx, int n) => _ilgpu.SoftmaxBackward(y, gy, gx, n);

    public void LayerNorm(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor stats, float eps) => _ilgpu.LayerNorm(x, gamma, beta, y, stats, eps);

    public void LayerNormBackward(Tensor x, Tensor gamma, Tensor stats, Tensor gy, Tensor gx) => _ilgpu.LayerNormBackward(x, gamma, stats, gy, gx);

    public void LayerNormBackwardAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta) => _ilgpu.LayerNormBackwardAffine(x, stats, gy, ggamma, gbeta);

    public void Reduce(ReduceOp op, Tensor x, Tensor y, int outer, int reduced, int inner) => _ilgpu.Reduce(op, x, y, outer, reduced, inner);

    public void ReduceBackward(ReduceOp op, Tensor x, Tensor gy, Tensor gx, int outer, int reduced, int inner) => _ilgpu.ReduceBackward(op, x, gy, gx, outer, reduced, inner);

    public void StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset) => _ilgpu.StridedCopy(src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset);
}
