using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// The backends the suites compare side by side: <c>cpu</c> (the SIMD CPU backend) and <c>ilgpu-cpu</c> (the ILGPU
/// kernels on ILGPU's CPU simulator, the GPU code path). <c>NATIVECAM_BENCH_DEVICES</c> (comma-separated names
/// that <see cref="Device.Open(string?)"/> takes, e.g. <c>cuda</c> or <c>cpu,cuda</c>) replaces the list.
/// </summary>
public static class BenchDevice
{
    public const string EnvironmentVariable = "NATIVECAM_BENCH_DEVICES";

    /// <summary>The device names of a BenchmarkDotNet <c>[ParamsSource]</c>.</summary>
    public static IEnumerable<string> Names() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "cpu,ilgpu-cpu");

    public static string[] Parse(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Opens a device by its CLI name (cpu, ilgpu-cpu, cuda, opencl, auto).</summary>
    public static Device Open(string name) => Device.Open(name);
}
