namespace NativeCam.Tensors;

// Spatial ops: not yet ported, still the ILGPU kernels on the same host buffers.
public sealed partial class CpuBackend
{
    public void MaxPool2d(Tensor x, Tensor y, int kernel, int stride, int padding) => _ilgpu.MaxPool2d(x, y, kernel, stride, padding);

    public void MaxPool2dArgmax(Tensor x, Tensor argmax, int kernel, int stride, int padding) => _ilgpu.MaxPool2dArgmax(x, argmax, kernel, stride, padding);

    public void MaxPool2dBackward(Tensor argmax, Tensor gy, Tensor gx, int kernel, int stride, int padding) => _ilgpu.MaxPool2dBackward(argmax, gy, gx, kernel, stride, padding);

    public void Upsample(Tensor x, Tensor y, int scale) => _ilgpu.Upsample(x, y, scale);

    public void UpsampleBackward(Tensor gy, Tensor gx, int scale) => _ilgpu.UpsampleBackward(gy, gx, scale);

    public void CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner) => _ilgpu.CopyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, channels, inner);
}
