using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>
/// The devices tests run on. <see cref="Default"/> is the device named by NATIVECAM_DEVICE (cuda, opencl,
/// cpu, ilgpu-cpu), else the SIMD CPU backend: the whole suite runs on a GPU with NATIVECAM_DEVICE=cuda.
/// The op tests run on both backends: <see cref="Simd"/> (the SIMD CPU backend) and <see cref="Ilgpu"/> (the
/// ILGPU kernels: on the GPU that NATIVECAM_DEVICE names, else on ILGPU's CPU accelerator). Rented buffers are
/// filled with NaN, so an output element a kernel forgot to write makes the test fail.
/// </summary>
public static class TestDevice
{
    static readonly Lazy<Device> _simd = new(() => Poisoned(Device.OpenCpu()));
    static readonly Lazy<Device> _ilgpuCpu = new(() => Poisoned(Device.OpenIlgpuCpu()));
    static readonly Lazy<Device?> _gpu = new(() =>
        DeviceKinds.Parse(null) is DeviceKind.Cuda or DeviceKind.OpenCL ? Poisoned(Device.Open((string?)null)) : null);

    static Device Poisoned(Device d)
    {
        d.Pool.PoisonOnRent = true;
        return d;
    }

    /// <summary>The device tests use unless they compare backends.</summary>
    public static Device Default => _gpu.Value ?? (DeviceKinds.Parse(null) == DeviceKind.IlgpuCpu ? _ilgpuCpu.Value : _simd.Value);

    /// <summary>The SIMD CPU backend.</summary>
    public static Device Simd => _simd.Value;

    /// <summary>The ILGPU kernels: on the GPU NATIVECAM_DEVICE names, else on ILGPU's CPU accelerator.</summary>
    public static Device Ilgpu => _gpu.Value ?? _ilgpuCpu.Value;

    /// <summary>ILGPU's CPU accelerator with the ILGPU kernels (the GPU code path without a GPU).</summary>
    public static Device IlgpuCpu => _ilgpuCpu.Value;

    /// <summary>
    /// The device of the backend under test: set by <see cref="BackendTests"/> for the op tests that run on
    /// both backends (test classes never run in parallel), else null (<see cref="CurrentOrDefault"/>).
    /// </summary>
    public static Device? Current { get; internal set; }

    internal static Device CurrentOrDefault => Current ?? Default;
}

/// <summary>
/// Base of the op test classes that run on both backends: each declares two nested sealed classes,
/// <c>Simd</c> and <c>Ilgpu</c>, so every fact runs once per backend against the same references.
/// </summary>
public abstract class BackendTests : IDisposable
{
    protected BackendTests(Device device) => TestDevice.Current = device;

    public void Dispose() => TestDevice.Current = null;
}
