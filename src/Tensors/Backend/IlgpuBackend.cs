using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

/// <summary>
/// The ILGPU implementation of <see cref="IBackend"/>: one C# kernel source per op, compiled on first
/// use for the device's accelerator (PTX, OpenCL or the CPU simulator) and cached in a field.
/// Each op family lives in its own file under Kernels/, next to its backward.
/// </summary>
public sealed partial class IlgpuBackend : KernelSet, IBackend
{
    public IlgpuBackend(Device device) : base(device) { }

    static void SameLength(Tensor a, Tensor b, string what) => BackendChecks.SameLength(a, b, what);

    static int TargetCount(Tensor forward, Tensor grad, string what) => BackendChecks.TargetCount(forward, grad, what);
}
