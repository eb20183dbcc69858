using ILGPU.Runtime;

namespace NativeCam.Tensors;

/// <summary>
/// Base of a family of ILGPU kernels bound to one device: the accelerator they are compiled for, the launch
/// plan for N work items, and the host-side check that runs before every launch (a kernel must never throw).
/// </summary>
public abstract class KernelSet(Device device)
{
    protected readonly Device _device = device;
    protected readonly Accelerator _acc = device.Accelerator;

    /// <summary>Launch shape for n work items on this device.</summary>
    protected (int Threads, Work Work) Plan(int n) => Launch.Plan(_device, n);

    protected static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
