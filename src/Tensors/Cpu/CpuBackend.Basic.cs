namespace NativeCam.Tensors;

// Basic ops: not yet ported, still the ILGPU kernels on the same host buffers.
public sealed partial class CpuBackend
{
    public void Fill(Tensor t, float value) => _ilgpu.Fill(t, value);

    public void Accumulate(Tensor src, Tensor dst) => _ilgpu.Accumulate(src, dst);

    public void SumLeading(Tensor src, Tensor dst) => _ilgpu.SumLeading(src, dst);
}
