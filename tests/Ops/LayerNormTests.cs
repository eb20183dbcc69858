using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>LayerNorm with gamma/beta: forward vs float64, gradients of x, gamma and beta vs finite differences and PyTorch, K targets.</summary>
public abstract class LayerNormTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : LayerNormTests(TestDevice.Simd);
    public sealed class Ilgpu() : LayerNormTests(TestDevice.Ilgpu);

    [Theory]
    [InlineData(new[] { 1, 1 }, 1e-5)]
    [InlineData(new[] { 3, 7 }, 1e-5)]
    [InlineData(new[] { 2, 5, 8 }, 1e-6)]
    [InlineData(new[] { 2, 3, 96 }, 1e-6)]
    public void ForwardMatchesFloat64AndBackwardMatchesFiniteDifferences(int[] shape, double eps)
    {
        var rng = new Rng(shape.Sum() + 1);
        int c = shape[^1];
        var x = rng.Uniform(RefDense.Length(shape), -2, 3);
        var gamma = rng.Uniform(c, 0.5, 1.5);
        var beta = rng.Uniform(c);
        var gy = rng.Uniform(x.Length);
        var r = OpRunner.Run(v => Ops.LayerNorm(v[0], v[1], v[2], (float)eps), [new(x, shape), new(gamma, [c]), new(beta, [c])], gy);
        Check.Close(r.Output, RefDense.LayerNorm(x, gamma, beta, eps), "layernorm forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.LayerNorm(p, gamma, beta, eps), x, gy), "layernorm grad x");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => RefDense.LayerNorm(x, p, beta, eps), gamma, gy), "layernorm grad gamma");
        Check.Close(r.Grads[2], GradCheck.Numeric(p => RefDense.LayerNorm(x, gamma, p, eps), beta, gy), "layernorm grad beta");
    }

    [Fact]
    public void RowsWithALargeMeanStayAccurate()
    {
        // Two-pass variance: values around 1000 with spread 1 would lose digits with E[x²] − E[x]².
        var rng = new Rng(12);
        var x = rng.Uniform(4 * 32, 999, 1001);
        var gamma = Enumerable.Repeat(1.0, 32).ToArray();
        var beta = new double[32];
        var r = OpRunner.Run(v => Ops.LayerNorm(v[0], v[1], v[2], 1e-6f), [new(x, [4, 32], false), new(gamma, [32], false), new(beta, [32], false)]);
        // float32 inputs near 1000 carry ~6e-5 absolute rounding; after dividing by a std of ~0.58 that is ~1e-4.
        Check.Close(r.Output, RefDense.LayerNorm(x, gamma, beta, 1e-6), "layernorm forward, large mean", 1e-4, 3e-4);
    }

    public static IEnumerable<object[]> Cases() => DenseFixture.Names("layernorm");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name) =>
        DenseFixture.Run(name, ["x", "gamma", "beta"], (c, v) => Ops.LayerNorm(v[0], v[1], v[2], (float)c.Double("eps")));

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var rng = new Rng(6);
        var x = rng.Uniform(3 * 10);
        var gamma = rng.Uniform(10, 0.5, 1.5);
        var beta = rng.Uniform(10);
        DenseFixture.KTargetsMatchSeparateSweeps(v => Ops.LayerNorm(v[0], v[1], v[2], 1e-6f),
            [new(x, [3, 10]), new(gamma, [10]), new(beta, [10])], 30, 3, 2);
    }
}
