using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>Which <see cref="ICamKernels"/> a device runs: the SIMD C# kernels on the `cpu` device, the ILGPU kernels elsewhere.</summary>
public static class CamKernels
{
    /// <summary>
    /// <see cref="CpuCamKernels"/> on the SIMD CPU backend's device (<see cref="DeviceKind.Cpu"/>, also when its
    /// backend is wrapped by a profiler), <see cref="IlgpuCamKernels"/> on a GPU and on ILGPU's CPU accelerator.
    /// </summary>
    public static ICamKernels For(Device device) =>
        device.Kind == DeviceKind.Cpu ? CpuCamKernels.Shared : IlgpuCamKernels.For(device);
}
