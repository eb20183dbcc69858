using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>
/// The device every test uses: ILGPU's CPU accelerator with cheap coarse launches. Rented buffers
/// are filled with NaN, so an output element a kernel forgot to write makes the test fail.
/// </summary>
public static class TestDevice
{
    static readonly Lazy<Device> _device = new(() =>
    {
        var d = Device.OpenCpu();
        d.Pool.PoisonOnRent = true;
        return d;
    });

    public static Device Cpu => _device.Value;
}
