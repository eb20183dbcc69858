using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>
/// The devices tests run on: <see cref="Cpu"/> is the SIMD CPU backend (the default everywhere),
/// <see cref="IlgpuCpu"/> the ILGPU kernels on ILGPU's CPU accelerator (the GPU code path). Rented
/// buffers are filled with NaN, so an output element a kernel forgot to write makes the test fail.
/// </summary>
public static class TestDevice
{
    static readonly Lazy<Device> _simd = new(() => Poisoned(Device.OpenCpu()));
    static readonly Lazy<Device> _ilgpu = new(() => Poisoned(Device.OpenIlgpuCpu()));

    static Device Poisoned(Device d)
    {
        d.Pool.PoisonOnRent = true;
        return d;
    }

    public static Device Cpu => _simd.Value;

    public static Device IlgpuCpu => _ilgpu.Value;

    /// <summary>
    /// The device of the backend under test: set by <see cref="BackendTests"/> for the op tests that run on
    /// both backends (test classes never run in parallel), else the SIMD CPU backend.
    /// </summary>
    public static Device Current { get; internal set; } = null!;

    internal static Device CurrentOrDefault => Current ?? Cpu;
}

/// <summary>
/// Base of the op test classes that run on both backends: each declares two nested sealed classes,
/// <c>Simd</c> and <c>Ilgpu</c>, so every fact runs once per backend against the same references.
/// </summary>
public abstract class BackendTests : IDisposable
{
    protected BackendTests(Device device) => TestDevice.Current = device;

    public void Dispose() => TestDevice.Current = null!;
}
