using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

public class DeviceTests
{
    [Theory]
    [InlineData("auto", DeviceKind.Auto)]
    [InlineData("CUDA", DeviceKind.Cuda)]
    [InlineData(" opencl ", DeviceKind.OpenCL)]
    [InlineData("cpu", DeviceKind.Cpu)]
    [InlineData("ILGPU-CPU", DeviceKind.IlgpuCpu)]
    public void ParsesDeviceNames(string name, DeviceKind kind) => Assert.Equal(kind, DeviceKinds.Parse(name));

    [Fact]
    public void UnknownDeviceNameIsAClearError()
    {
        var e = Assert.Throws<DeviceUnavailableException>(() => DeviceKinds.Parse("tpu"));
        Assert.Contains("unknown device 'tpu'", e.Message);
    }

    [Fact]
    public void EnvironmentVariableIsTheDefault()
    {
        var old = Environment.GetEnvironmentVariable(DeviceKinds.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeviceKinds.EnvironmentVariable, "cpu");
            Assert.Equal(DeviceKind.Cpu, DeviceKinds.Parse(null));
            Assert.Equal(DeviceKind.Cuda, DeviceKinds.Parse("cuda")); // an explicit flag wins
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeviceKinds.EnvironmentVariable, old);
        }
    }

    [Fact]
    public void AutoFallsBackToTheCpuWithoutAGpu()
    {
        using var d = Device.Open("auto");
        // On CI there is no GPU; where one exists auto must pick it.
        Assert.True(d.Kind is DeviceKind.Cpu or DeviceKind.Cuda or DeviceKind.OpenCL);
        Assert.Contains(d.Kind.ToString().ToLowerInvariant(), d.Description);
    }

    [Fact]
    public void CpuIsTheSimdBackendAndIlgpuCpuTheGpuKernelsOnTheSimulator()
    {
        Assert.IsType<CpuBackend>(TestDevice.Simd.Backend);
        Assert.IsType<IlgpuBackend>(TestDevice.IlgpuCpu.Backend);
        Assert.Equal("ilgpu-cpu", TestDevice.IlgpuCpu.Kind.Name());
        Assert.StartsWith("cpu: SIMD backend", TestDevice.Simd.Description);
    }

    [Fact]
    public void CpuLaunchesFewCoarseThreads()
    {
        var (threads, work) = Launch.Plan(TestDevice.IlgpuCpu, 1_000_000);
        Assert.True(threads <= Environment.ProcessorCount * 4, $"{threads} threads");
        Assert.True((long)work.Chunk * threads >= 1_000_000);
    }
}
