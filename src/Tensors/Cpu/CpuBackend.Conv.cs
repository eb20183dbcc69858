namespace NativeCam.Tensors;

// Convolutions: not yet ported, still the ILGPU kernels on the same host buffers.
public sealed partial class CpuBackend
{
    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g) => _ilgpu.Conv2d(x, w, bias, y, g);

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g) => _ilgpu.Conv2dBackwardInput(gy, w, gx, g);

    public void Conv2dBackwardWeight(Tensor x, Tensor gy, Tensor gw, ConvGeometry g) => _ilgpu.Conv2dBackwardWeight(x, gy, gw, g);
}
