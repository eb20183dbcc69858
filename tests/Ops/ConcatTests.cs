using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Concat along channels: forward vs float64, gradients vs finite differences and PyTorch, K targets.</summary>
public abstract class ConcatTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : ConcatTests(TestDevice.Simd);
    public sealed class Ilgpu() : ConcatTests(TestDevice.Ilgpu);

    const string File = "ops/spatial.json";

    [Theory]
    [InlineData(new[] { 2, 3, 1 }, 2, 3, 5)]
    [InlineData(new[] { 4 }, 1, 2, 2)]
    [InlineData(new[] { 1, 1, 2, 5 }, 3, 1, 3)]
    public void MatchesFloat64AndFiniteDifferences(int[] channels, int n, int h, int w)
    {
        var rng = new Rng(channels.Sum() + n);
        var xs = channels.Select(c => (Data: rng.Uniform(n * c * h * w), Shape: new[] { n, c, h, w })).ToList();
        var y = RefSpatial.Concat(xs);
        var gy = rng.Uniform(y.Length);
        var r = OpRunner.Run(v => Ops.Concat(v), xs.Select(x => new OpInput(x.Data, x.Shape)).ToArray(), gy);
        Assert.Equal([n, channels.Sum(), h, w], r.OutputShape);
        Check.Close(r.Output, y, "concat forward");
        for (int i = 0; i < xs.Count; i++)
        {
            int at = i;
            var numeric = GradCheck.Numeric(p => RefSpatial.Concat(xs.Select((x, j) => j == at ? (p, x.Shape) : x).ToList()), xs[i].Data, gy);
            Check.Close(r.Grads[i], numeric, $"concat grad {i} vs finite differences");
        }
    }

    [Fact]
    public void MatchesPyTorchAutograd()
    {
        var c = Fixtures.Case(File, "concat3");
        SpatialFixture.CheckAll(c, SpatialFixture.Run(c, v => Ops.Concat(v), "a", "b", "c"), "a", "b", "c");
    }

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweepsAndSkipInputsWithoutGrad()
    {
        var rng = new Rng(19);
        OpInput[] inputs = [new(rng.Uniform(24), [2, 1, 3, 4]), new(rng.Uniform(48), [2, 2, 3, 4], RequiresGrad: false), new(rng.Uniform(72), [2, 3, 3, 4])];
        Func<Var[], Var> f = v => Ops.Concat(v);
        var gys = new[] { rng.Uniform(144), rng.Uniform(144) };
        var batched = OpRunner.Run(f, inputs, gys.SelectMany(g => g).ToArray());
        Assert.Null(batched.Grads[1]);
        for (int k = 0; k < 2; k++)
        {
            var single = OpRunner.Run(f, inputs, gys[k]);
            foreach (int i in new[] { 0, 2 })
            {
                int len = single.Grads[i]!.Length;
                Check.Close(batched.Grads[i].AsSpan(k * len, len), single.Grads[i], $"target {k} grad {i}", 1e-6, 1e-7);
            }
        }
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        using var a = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 2, 3, 3);
        using var b = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 2, 3, 4);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat(Var.Input(a), Var.Input(b)));
        Assert.Equal("Concat: [1, 2, 3, 4] does not match [1, 2, 3, 3] outside dimension 1", e.Message);
    }
}
