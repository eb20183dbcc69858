using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Softmax over the last axis: forward vs float64, backward vs finite differences and PyTorch, K targets.</summary>
public abstract class SoftmaxTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : SoftmaxTests(TestDevice.Simd);
    public sealed class Ilgpu() : SoftmaxTests(TestDevice.Ilgpu);

    [Theory]
    [InlineData(new[] { 1, 1 }, 1.0)]
    [InlineData(new[] { 3, 7 }, 3.0)]
    [InlineData(new[] { 2, 3, 197 }, 5.0)]    // a ViT attention row
    [InlineData(new[] { 4, 9 }, 100.0)]       // exp(100) overflows float32 without the max shift
    public void ForwardMatchesFloat64AndBackwardMatchesFiniteDifferences(int[] shape, double scale)
    {
        var rng = new Rng(shape.Sum());
        var x = rng.Uniform(RefDense.Length(shape), -scale, scale);
        var gy = rng.Uniform(x.Length);
        var r = OpRunner.Run(v => Ops.Softmax(v[0]), [new(x, shape)], gy);
        Check.Close(r.Output, RefDense.Softmax(x, shape[^1]), "softmax forward");
        var numeric = GradCheck.Numeric(p => RefDense.Softmax(p, shape[^1]), x, gy);
        Check.Close(r.Grads[0], numeric, "softmax backward vs finite differences");
    }

    [Fact]
    public void RowsSumToOne()
    {
        var x = new Rng(4).Uniform(5 * 64, -40, 40);
        var y = OpRunner.Run(v => Ops.Softmax(v[0]), [new(x, [5, 64], false)]).Output;
        for (int r = 0; r < 5; r++) Assert.InRange(y.Skip(r * 64).Take(64).Sum(), 1 - 1e-5, 1 + 1e-5);
    }

    public static IEnumerable<object[]> Cases() => DenseFixture.Names("softmax");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name) => DenseFixture.Run(name, ["x"], (_, v) => Ops.Softmax(v[0]));

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var x = new Rng(8).Uniform(4 * 6, -3, 3);
        DenseFixture.KTargetsMatchSeparateSweeps(v => Ops.Softmax(Ops.Mul(v[0], v[0])), [new(x, [4, 6])], 24, 3, 1);
    }
}
