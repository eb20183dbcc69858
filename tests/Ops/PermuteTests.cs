using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Permute, Transpose and Narrow (strided copies): forward vs float64, backward vs finite differences and PyTorch, K targets.</summary>
public abstract class PermuteTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : PermuteTests(TestDevice.Simd);
    public sealed class Ilgpu() : PermuteTests(TestDevice.Ilgpu);

    [Theory]
    [InlineData(new[] { 1, 1 }, new[] { 1, 0 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]
    [InlineData(new[] { 2, 3, 2, 4, 3 }, new[] { 4, 1, 0, 3, 2 })]
    [InlineData(new[] { 2, 1, 3, 2, 2, 3 }, new[] { 5, 3, 1, 0, 4, 2 })] // rank 6: with K, 7 copy dimensions
    [InlineData(new[] { 2, 5, 3, 4 }, new[] { 0, 2, 1, 3 })]              // ViT heads: [B, T, H, D] -> [B, H, T, D]
    public void ForwardMatchesFloat64AndBackwardMatchesFiniteDifferences(int[] shape, int[] dims)
    {
        var rng = new Rng(shape.Sum() + dims[0]);
        var x = rng.Uniform(RefDense.Length(shape));
        var gy = rng.Uniform(x.Length);
        var r = OpRunner.Run(v => Ops.Permute(v[0], dims), [new(x, shape)], gy);
        Assert.Equal(dims.Select(d => shape[d]).ToArray(), r.OutputShape);
        Check.Close(r.Output, RefDense.Permute(x, shape, dims), "permute forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.Permute(p, shape, dims), x, gy), "permute backward vs finite differences");
    }

    [Fact]
    public void TransposeSwapsTwoDimensions()
    {
        var x = new Rng(1).Uniform(2 * 3 * 4);
        var r = OpRunner.Run(v => Ops.Transpose(v[0], -1, 1), [new(x, [2, 3, 4], false)]);
        Assert.Equal([2, 4, 3], r.OutputShape);
        Check.Close(r.Output, RefDense.Permute(x, [2, 3, 4], [0, 2, 1]), "transpose forward");
    }

    [Theory]
    [InlineData(new[] { 3, 10, 4 }, 1, 2, 5)]
    [InlineData(new[] { 2, 197, 6 }, 1, 0, 1)]   // the class token of ViT
    [InlineData(new[] { 4, 18 }, -1, 6, 6)]      // one third of a fused QKV
    [InlineData(new[] { 1, 1 }, 0, 0, 1)]
    public void NarrowMatchesFloat64AndFiniteDifferences(int[] shape, int axis, int start, int length)
    {
        var rng = new Rng(shape.Sum() + start);
        var x = rng.Uniform(RefDense.Length(shape));
        var expected = RefDense.Narrow(x, shape, axis, start, length);
        var gy = rng.Uniform(expected.Length);
        var r = OpRunner.Run(v => Ops.Narrow(v[0], axis, start, length), [new(x, shape)], gy);
        Check.Close(r.Output, expected, "narrow forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.Narrow(p, shape, axis, start, length), x, gy), "narrow backward");
    }

    [Fact]
    public void RejectsBadArgumentsOnTheHost()
    {
        var x = new OpInput(new double[24], [2, 3, 4], false);
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.Permute(v[0], 0, 0, 1), [x]));
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.Narrow(v[0], 1, 2, 2), [x]));
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.Permute(v[0], 0, 1), [x]));
    }

    public static IEnumerable<object[]> Cases() => DenseFixture.Names("permute", "narrow");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name) => DenseFixture.Run(name, ["x"], (c, v) =>
        c.Str("op") == "permute" ? Ops.Permute(v[0], c.Ints("dims")) : Ops.Narrow(v[0], c.Int("axis"), c.Int("start"), c.Int("length")));

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var x = new Rng(7).Uniform(2 * 3 * 4 * 5);
        DenseFixture.KTargetsMatchSeparateSweeps(v => Ops.Narrow(Ops.Permute(v[0], 3, 1, 0, 2), 1, 1, 2), [new(x, [2, 3, 4, 5])],
            5 * 2 * 2 * 4, 3, 5);
    }
}
