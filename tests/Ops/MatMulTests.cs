using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>MatMul and Linear: forward vs float64, backward vs finite differences and PyTorch, K targets.</summary>
public abstract class MatMulTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : MatMulTests(TestDevice.Simd);
    public sealed class Ilgpu() : MatMulTests(TestDevice.Ilgpu);

    [Theory]
    [InlineData(new[] { 1, 1 }, new[] { 1, 1 }, false, false)]
    [InlineData(new[] { 7, 5 }, new[] { 5, 3 }, false, false)]
    [InlineData(new[] { 13, 17 }, new[] { 17, 19 }, false, false)]     // no dimension a multiple of the 4x8 tile
    [InlineData(new[] { 3, 5, 9 }, new[] { 3, 9, 10 }, false, false)]   // batched
    [InlineData(new[] { 2, 3, 9, 4 }, new[] { 4, 11 }, false, false)]   // weight shared by a batch
    [InlineData(new[] { 6, 4 }, new[] { 2, 4, 9 }, false, false)]       // 2-D left operand
    [InlineData(new[] { 2, 6, 5 }, new[] { 2, 7, 6 }, true, true)]      // both transposed views
    [InlineData(new[] { 2, 9, 5 }, new[] { 9, 4 }, true, false)]        // transposed A, shared B
    [InlineData(new[] { 33, 20 }, new[] { 12, 20 }, false, true)]       // x @ Wᵀ as in Linear
    public void ForwardMatchesFloat64(int[] aStored, int[] bStored, bool ta, bool tb)
    {
        var rng = new Rng(aStored.Sum() * 31 + bStored.Sum());
        var a = rng.Uniform(RefDense.Length(aStored));
        var b = rng.Uniform(RefDense.Length(bStored));
        var r = OpRunner.Run(v => Ops.MatMul(v[0], v[1], ta, tb), [new(a, aStored, false), new(b, bStored, false)]);
        Check.Close(r.Output, RefDense.MatMul(a, aStored, b, bStored, ta, tb), "matmul forward");
    }

    [Theory]
    [InlineData(new[] { 5, 3 }, new[] { 3, 6 }, false, false)]
    [InlineData(new[] { 2, 3, 5 }, new[] { 2, 5, 4 }, false, false)]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 5 }, false, false)]
    [InlineData(new[] { 3, 4 }, new[] { 2, 4, 5 }, false, false)]
    [InlineData(new[] { 2, 4, 3 }, new[] { 2, 5, 4 }, true, true)]
    [InlineData(new[] { 2, 4, 3 }, new[] { 4, 5 }, true, false)]
    public void BackwardMatchesFiniteDifferences(int[] aStored, int[] bStored, bool ta, bool tb)
    {
        var rng = new Rng(aStored.Length * 100 + bStored.Sum());
        var a = rng.Uniform(RefDense.Length(aStored));
        var b = rng.Uniform(RefDense.Length(bStored));
        var y = RefDense.MatMul(a, aStored, b, bStored, ta, tb);
        var gy = rng.Uniform(y.Length);
        var r = OpRunner.Run(v => Ops.MatMul(v[0], v[1], ta, tb), [new(a, aStored), new(b, bStored)], gy);
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.MatMul(p, aStored, b, bStored, ta, tb), a, gy), "matmul grad a");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => RefDense.MatMul(a, aStored, p, bStored, ta, tb), b, gy), "matmul grad b");
    }

    [Fact]
    public void LinearMatchesFloat64AndFiniteDifferences()
    {
        var rng = new Rng(11);
        int inF = 6, outF = 5;
        var x = rng.Uniform(2 * 3 * inF);
        var w = rng.Uniform(outF * inF);
        var bias = rng.Uniform(outF);
        var gy = rng.Uniform(2 * 3 * outF);
        var r = OpRunner.Run(v => Ops.Linear(v[0], v[1], v[2]), [new(x, [2, 3, inF]), new(w, [outF, inF]), new(bias, [outF])], gy);
        Assert.Equal([2, 3, outF], r.OutputShape);
        Check.Close(r.Output, RefDense.Linear(x, w, bias, inF, outF), "linear forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefDense.Linear(p, w, bias, inF, outF), x, gy), "linear grad x");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => RefDense.Linear(x, p, bias, inF, outF), w, gy), "linear grad weight");
        Check.Close(r.Grads[2], GradCheck.Numeric(p => RefDense.Linear(x, w, p, inF, outF), bias, gy), "linear grad bias");
    }

    [Fact]
    public void RejectsMismatchedShapesOnTheHost()
    {
        var a = new OpInput(new double[6], [2, 3]);
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.MatMul(v[0], v[1]), [a, new(new double[8], [4, 2])]));
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.MatMul(v[0], v[1]),
            [new(new double[24], [2, 3, 4]), new(new double[60], [3, 4, 5])]));
        Assert.Throws<ArgumentException>(() => OpRunner.Run(v => Ops.Linear(v[0], v[1]), [a, new(new double[6], [3, 2])]));
    }

    public static IEnumerable<object[]> Cases() => DenseFixture.Names("matmul", "linear");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name)
    {
        if (name.StartsWith("linear"))
            DenseFixture.Run(name, ["x", "weight", "bias"], (_, v) => Ops.Linear(v[0], v[1], v[2]));
        else
            DenseFixture.Run(name, ["a", "b"], (c, v) => Ops.MatMul(v[0], v[1], c.Bool("ta"), c.Bool("tb")));
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 5 }, false, false)]   // weight gradient: each target sums over its own batch
    [InlineData(new[] { 3, 4 }, new[] { 2, 4, 5 }, false, false)]   // shared left operand: the batch-sum path
    [InlineData(new[] { 2, 5, 3 }, new[] { 2, 4, 5 }, true, true)]
    public void KTargetsInOneSweepEqualKSeparateSweeps(int[] aStored, int[] bStored, bool ta, bool tb)
    {
        var rng = new Rng(5);
        var a = rng.Uniform(RefDense.Length(aStored));
        var b = rng.Uniform(RefDense.Length(bStored));
        int outLength = RefDense.MatMul(a, aStored, b, bStored, ta, tb).Length;
        DenseFixture.KTargetsMatchSeparateSweeps(v => Ops.MatMul(v[0], v[1], ta, tb), [new(a, aStored), new(b, bStored)], outLength, 3, 9);
    }
}
