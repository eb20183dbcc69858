using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Sum, Mean and Max: forward vs float64, backward vs finite differences and PyTorch, K targets.</summary>
public abstract class ReduceTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : ReduceTests(TestDevice.Simd);
    public sealed class Ilgpu() : ReduceTests(TestDevice.Ilgpu);

    static Var Apply(string op, Var x, int[] axes, bool keepDim) => op switch
    {
        "sum" => Ops.Sum(x, axes, keepDim),
        "mean" => Ops.Mean(x, axes, keepDim),
        "max" => Ops.Max(x, axes[0], keepDim),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [InlineData("sum", new[] { 1, 1 }, new[] { 0 })]
    [InlineData("sum", new[] { 2, 3, 4 }, new[] { 1 })]
    [InlineData("sum", new[] { 2, 3, 4, 5 }, new[] { 0, 2 })]     // not consecutive: two reductions
    [InlineData("sum", new[] { 2, 3, 4, 5 }, new[] { 1, -1, 2 })] // one run of three axes, unsorted, negative
    [InlineData("sum", new[] { 3, 5 }, new int[0])]               // all axes
    [InlineData("mean", new[] { 3, 4, 7 }, new[] { -1 })]
    [InlineData("mean", new[] { 2, 3, 4, 5 }, new[] { 0, 3 })]
    [InlineData("max", new[] { 3, 5, 4 }, new[] { 1 })]
    [InlineData("max", new[] { 4, 7 }, new[] { 0 })]
    public void ForwardMatchesFloat64AndBackwardMatchesFiniteDifferences(string op, int[] shape, int[] axes)
    {
        var rng = new Rng(shape.Sum() + op.Length);
        var x = rng.Uniform(RefDense.Length(shape));
        var expected = RefDense.Reduce(op, x, shape, axes);
        var gy = rng.Uniform(expected.Length);
        var r = OpRunner.Run(v => Apply(op, v[0], axes, false), [new(x, shape)], gy);
        var norm = axes.Select(a => a < 0 ? a + shape.Length : a).ToArray();
        var expectedShape = axes.Length == 0 ? [] : shape.Where((_, d) => !norm.Contains(d)).ToArray();
        Assert.Equal(expectedShape, r.OutputShape);
        Check.Close(r.Output, expected, $"{op} forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.Reduce(op, p, shape, axes), x, gy), $"{op} backward vs finite differences");
    }

    [Fact]
    public void KeepDimKeepsReducedAxesWithSizeOne()
    {
        var x = new Rng(2).Uniform(2 * 3 * 4);
        Assert.Equal([2, 1, 1], OpRunner.Run(v => Ops.Sum(v[0], [1, 2], keepDim: true), [new(x, [2, 3, 4], false)]).OutputShape);
        Assert.Equal([1, 3, 1], OpRunner.Run(v => Ops.Mean(v[0], [0, 2], keepDim: true), [new(x, [2, 3, 4], false)]).OutputShape);
        Assert.Equal([2, 3, 1], OpRunner.Run(v => Ops.Max(v[0], -1, keepDim: true), [new(x, [2, 3, 4], false)]).OutputShape);
    }

    [Fact]
    public void MaxSendsTheGradientToTheFirstOfTiedMaxima()
    {
        // Column 0 has its maximum 2 at rows 1 and 2: PyTorch's max(dim) picks the first (row 1).
        double[] x = [0, 5, 2, 1, 2, 3, 2, 4];
        var r = OpRunner.Run(v => Ops.Max(v[0], 0), [new(x, [4, 2])], [1.0, 1.0]);
        Check.Close(r.Output, new[] { 2.0, 5.0 }, "max forward");
        Check.Close(r.Grads[0], new[] { 0.0, 1, 1, 0, 0, 0, 0, 0 }, "max backward with ties");
    }

    public static IEnumerable<object[]> Cases() => DenseFixture.Names("sum", "mean", "max");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name) => DenseFixture.Run(name, ["x"], (c, v) =>
        c.Str("op") == "max" ? Ops.Max(v[0], c.Int("axis"), c.Bool("keepdim")) : Apply(c.Str("op"), v[0], c.Ints("axes"), c.Bool("keepdim")));

    [Theory]
    [InlineData("sum")]
    [InlineData("mean")]
    [InlineData("max")]
    public void KTargetsInOneSweepEqualKSeparateSweeps(string op)
    {
        var x = new Rng(3).Uniform(3 * 4 * 5);
        int[] axes = op == "max" ? [1] : [0, 2];
        int outLength = RefDense.Reduce(op, x, [3, 4, 5], axes).Length;
        DenseFixture.KTargetsMatchSeparateSweeps(v => Apply(op, v[0], axes, false), [new(x, [3, 4, 5])], outLength, 3, 4);
    }
}
