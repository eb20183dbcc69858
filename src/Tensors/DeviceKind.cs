namespace NativeCam.Tensors;

/// <summary>Which accelerator to run on. Auto tries CUDA, then OpenCL, then the CPU.</summary>
public enum DeviceKind { Auto, Cuda, OpenCL, Cpu }

public static class DeviceKinds
{
    public const string EnvironmentVariable = "NATIVECAM_DEVICE";

    /// <summary>Parses `auto|cuda|opencl|cpu` (case-insensitive); null or empty falls back to NATIVECAM_DEVICE, then auto.</summary>
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
            _ => throw new DeviceUnavailableException($"unknown device '{choice}' (expected auto, cuda, opencl or cpu)"),
        };
    }
}

/// <summary>The requested accelerator does not exist on this machine, or the name is unknown.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
