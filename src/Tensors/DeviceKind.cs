namespace NativeCam.Tensors;

/// <summary>
/// Which accelerator to run on. Auto tries CUDA, then OpenCL, then the CPU. <c>Cpu</c> is the SIMD CPU
/// backend (plain C# with Vector512/256 over the cores); <c>IlgpuCpu</c> runs the GPU kernels on ILGPU's
/// CPU simulator, which is slow but checks the GPU path on machines without a GPU.
/// </summary>
public enum DeviceKind { Auto, Cuda, OpenCL, Cpu, IlgpuCpu }

/// <summary>Parsing and naming <see cref="DeviceKind"/>s (<c>--device</c>, <c>NATIVECAM_DEVICE</c>).</summary>
public static class DeviceKinds
{
    public const string EnvironmentVariable = "NATIVECAM_DEVICE";

    /// <summary>The name a user types for a kind (<c>ilgpu-cpu</c> for <see cref="DeviceKind.IlgpuCpu"/>).</summary>
    public static string Name(this DeviceKind kind) => kind == DeviceKind.IlgpuCpu ? "ilgpu-cpu" : kind.ToString().ToLowerInvariant();

    /// <summary>Parses `auto|cuda|opencl|cpu|ilgpu-cpu` (case-insensitive); null or empty falls back to NATIVECAM_DEVICE, then auto.</summary>
    public static DeviceKind Parse(string? choice)
    {
        if (string.IsNullOrWhiteSpace(choice)) choice = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(choice)) return DeviceKind.Auto;
        return choice.Trim().ToLowerInvariant() switch
        {
            "auto" => DeviceKind.Auto,
            "cuda" => DeviceKind.Cuda,
            "opencl" => DeviceKind.OpenCL,
            "cpu" => DeviceKind.Cpu,
            "ilgpu-cpu" => DeviceKind.IlgpuCpu,
            _ => throw new DeviceUnavailableException($"unknown device '{choice}' (expected auto, cuda, opencl, cpu or ilgpu-cpu)"),
        };
    }
}

/// <summary>The requested accelerator does not exist on this machine, or the name is unknown.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
