using System.Runtime.Intrinsics;

namespace NativeCam.Tensors;

/// <summary>
/// The SIMD CPU implementation of <see cref="IBackend"/>: plain C# over the host memory of ILGPU's CPU
/// accelerator (zero-copy through <see cref="Tensor.Pointer"/>), vectorised with Vector512 where the CPU has
/// AVX-512 (else Vector256 / Vector&lt;float&gt;) and spread over the cores with <see cref="CpuParallel"/>.
/// Each op family lives in its own file next to its backward. Every method runs synchronously: when it
/// returns, its output is written.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    public CpuBackend(Device device)
    {
        if (!device.IsCpu) throw new ArgumentException("the SIMD CPU backend needs a CPU device");
    }

    /// <summary>Vector width and core count, for `nativecam device` and benchmark reports.</summary>
    public static string Describe() =>
        $"{(Vector512.IsHardwareAccelerated ? "AVX-512 (Vector512)" : Vector256.IsHardwareAccelerated ? "AVX2 (Vector256)" : Vector128.IsHardwareAccelerated ? "SSE/NEON (Vector128)" : "scalar")}, " +
        $"{Environment.ProcessorCount} cores";

    static void Require(bool condition, string message) => BackendChecks.Require(condition, message);

    static void SameLength(Tensor a, Tensor b, string what) => BackendChecks.SameLength(a, b, what);

    static int TargetCount(Tensor forward, Tensor grad, string what) => BackendChecks.TargetCount(forward, grad, what);
}
