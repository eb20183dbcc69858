using System.CommandLine;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>Options several commands share, defined once.</summary>
public static class CommonOptions
{
    public static Option<string?> Device() => new("--device")
    {
        Description = "Accelerator: auto (CUDA, then OpenCL, then CPU), cuda, opencl or cpu. Default: $NATIVECAM_DEVICE or auto.",
    };

    public static Device OpenDevice(string? choice)
    {
        try { return NativeCam.Tensors.Device.Open(choice); }
        catch (DeviceUnavailableException e) { throw new CliError(e.Message); }
    }
}
