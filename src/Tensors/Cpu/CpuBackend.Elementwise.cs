namespace NativeCam.Tensors;

// Elementwise ops: not yet ported, still the ILGPU kernels on the same host buffers.
public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f) => _ilgpu.Unary(op, x, y, alpha);

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha = 1f) => _ilgpu.UnaryBackward(op, x, gy, gx, alpha);

    public void UnaryBackwardGuided(UnaryOp op, Tensor x, Tensor gy, Tensor gx) => _ilgpu.UnaryBackwardGuided(op, x, gy, gx);

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner) => _ilgpu.Binary(op, a, b, y, inner);

    public void BinaryBackwardB(BinaryOp op, Tensor a, Tensor gy, Tensor gb, int inner) => _ilgpu.BinaryBackwardB(op, a, gy, gb, inner);

    public void MulBackwardA(Tensor b, Tensor gy, Tensor ga, int aLength, int inner) => _ilgpu.MulBackwardA(b, gy, ga, aLength, inner);
}
