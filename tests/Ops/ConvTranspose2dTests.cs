using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>ConvTranspose2d: forward vs a float64 scatter, all gradients vs finite differences and PyTorch, K targets.</summary>
public abstract class ConvTranspose2dTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : ConvTranspose2dTests(TestDevice.Simd);
    public sealed class Ilgpu() : ConvTranspose2dTests(TestDevice.Ilgpu);

    const string File = "ops/spatial.json";

    static Func<Var[], Var> ConvT(int sh, int sw, int ph, int pw, int oph, int opw, int groups) =>
        v => Ops.ConvTranspose2d(v[0], v[1], v.Length > 2 ? v[2] : null, (sh, sw), (ph, pw), (oph, opw), groups);

    [Theory]
    //          n cin h  w cout/g kh kw sh sw ph pw oph opw groups bias
    [InlineData(1, 4, 3, 4, 3, 2, 2, 2, 2, 0, 0, 0, 0, 1, true)]  // YOLO-style 2x2 s2 upsampling
    [InlineData(2, 4, 3, 3, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2, true)]  // groups 2, output padding
    [InlineData(1, 3, 5, 4, 2, 3, 3, 1, 1, 1, 1, 0, 0, 1, false)] // stride 1
    [InlineData(1, 2, 3, 4, 3, 3, 2, 3, 2, 1, 0, 2, 1, 1, true)]  // non-square kernel, stride and output padding
    [InlineData(1, 3, 4, 3, 1, 4, 4, 2, 2, 1, 1, 0, 0, 3, false)] // depth-wise 4x4 s2
    public void ForwardMatchesFloat64AndGradientsMatchFiniteDifferences(int n, int cin, int h, int w, int coutG, int kh, int kw,
        int sh, int sw, int ph, int pw, int oph, int opw, int groups, bool bias)
    {
        var rng = new Rng(n * 100 + cin * 10 + kh + groups);
        int[] xs = [n, cin, h, w], ws = [cin, coutG, kh, kw];
        int cout = coutG * groups;
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var wt = rng.Uniform(Tensor.ShapeLength(ws));
        var b = rng.Uniform(cout);
        double[]? bOrNull = bias ? b : null;
        Func<double[], double[], double[]?, double[]> f = (x_, w_, b_) =>
            RefSpatial.ConvTranspose2d(x_, xs, w_, ws, b_, sh, sw, ph, pw, oph, opw, groups);
        var y = f(x, wt, bOrNull);
        var gy = rng.Uniform(y.Length);
        OpInput[] inputs = bias ? [new(x, xs), new(wt, ws), new(b, [cout])] : [new(x, xs), new(wt, ws)];
        var r = OpRunner.Run(ConvT(sh, sw, ph, pw, oph, opw, groups), inputs, gy);

        Assert.Equal(RefSpatial.ConvTransposeShape(xs, ws, sh, sw, ph, pw, oph, opw, groups), r.OutputShape);
        Check.Close(r.Output, y, "conv_transpose2d forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => f(p, wt, bOrNull), x, gy), "conv_transpose2d grad x vs finite differences");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => f(x, p, bOrNull), wt, gy), "conv_transpose2d grad w vs finite differences");
        if (bias) Check.Close(r.Grads[2], GradCheck.Numeric(p => f(x, wt, p), b, gy), "conv_transpose2d grad b vs finite differences");
    }

    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(File).Where(c => c.Str("op") == "conv_transpose2d").Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var (s, p, op) = (c.Ints("stride"), c.Ints("padding"), c.Ints("output_padding"));
        var r = SpatialFixture.Run(c, ConvT(s[0], s[1], p[0], p[1], op[0], op[1], c.Int("groups")), "x", "w", "b");
        SpatialFixture.CheckAll(c, r, "x", "w", "b");
    }

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var rng = new Rng(13);
        int[] xs = [2, 4, 3, 5], ws = [4, 3, 2, 2];
        OpInput[] inputs = [new(rng.Uniform(120), xs), new(rng.Uniform(48), ws), new(rng.Uniform(6), [6])];
        var f = ConvT(2, 2, 0, 0, 0, 0, 2);
        int ny = 2 * 6 * 6 * 10;
        var gys = new[] { rng.Uniform(ny), rng.Uniform(ny) };
        var batched = OpRunner.Run(f, inputs, gys.SelectMany(g => g).ToArray());
        for (int k = 0; k < 2; k++)
        {
            var single = OpRunner.Run(f, inputs, gys[k]);
            for (int i = 0; i < 3; i++)
            {
                int len = single.Grads[i]!.Length;
                Check.Close(batched.Grads[i].AsSpan(k * len, len), single.Grads[i], $"target {k} grad {i}", 1e-6, 1e-7);
            }
        }
    }

    [Fact]
    public void RejectsBadOutputPadding()
    {
        using var x = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 2, 3, 3);
        using var w = Tensor.Zeros(TestDevice.CurrentOrDefault, 2, 2, 2, 2);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.ConvTranspose2d(Var.Input(x), Var.Input(w), null, 2, 0, outputPadding: 2));
        Assert.Contains("output padding (2, 2) must be non-negative and smaller than the stride (2, 2)", e.Message);
    }
}
