using NativeCam.Autograd;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Assertions on numeric arrays with stated tolerances.</summary>
public static class Check
{
    /// <summary>float32 kernels against float64 references: ~1e-4 relative plus a small absolute floor for values near zero.</summary>
    public const double Rtol = 1e-4, Atol = 1e-5;

    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, string what, double rtol = Rtol, double atol = Atol)
    {
        var problem = GradCheck.Mismatch(actual, expected, rtol, atol);
        if (problem != null) Assert.Fail($"{what}: {problem}");
    }

    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what, double rtol = Rtol, double atol = Atol)
    {
        var wide = new double[expected.Length];
        for (int i = 0; i < wide.Length; i++) wide[i] = expected[i];
        Close(actual, wide, what, rtol, atol);
    }
}
