using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Conv2d: forward vs float64, input/weight/bias gradients vs finite differences and PyTorch, K targets, memory.</summary>
public abstract class Conv2dTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : Conv2dTests(TestDevice.Simd);
    public sealed class Ilgpu() : Conv2dTests(TestDevice.Ilgpu);

    const string File = "ops/spatial.json";

    static Func<Var[], Var> Conv(int sh, int sw, int ph, int pw, int groups) =>
        v => Ops.Conv2d(v[0], v[1], v.Length > 2 ? v[2] : null, (sh, sw), (ph, pw), groups);

    [Theory]
    //          n cin h  w cout kh kw sh sw ph pw groups bias
    [InlineData(2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1, 1, true)]   // 3x3 s1 p1, batch 2, odd image
    [InlineData(1, 5, 6, 9, 6, 1, 1, 1, 1, 0, 0, 1, false)]  // 1x1
    [InlineData(1, 3, 6, 7, 5, 1, 3, 1, 1, 0, 1, 1, true)]   // 1x3 (CrossConv)
    [InlineData(1, 3, 7, 6, 5, 3, 1, 1, 1, 1, 0, 1, false)]  // 3x1 (CrossConv)
    [InlineData(1, 3, 9, 11, 5, 3, 3, 2, 2, 1, 1, 1, true)]  // stride 2
    [InlineData(2, 4, 5, 7, 6, 3, 3, 1, 1, 1, 1, 2, true)]   // groups 2
    [InlineData(1, 4, 7, 5, 4, 3, 3, 1, 1, 1, 1, 4, false)]  // depth-wise
    [InlineData(1, 3, 6, 6, 6, 3, 3, 2, 2, 1, 1, 3, true)]   // depth-wise with channel multiplier 2
    [InlineData(1, 2, 8, 7, 3, 6, 6, 2, 2, 2, 2, 1, true)]   // YOLOv5's 6x6 s2 p2 stem
    [InlineData(1, 2, 7, 9, 3, 2, 3, 2, 1, 0, 1, 1, false)]  // non-square kernel and stride
    public void ForwardMatchesFloat64AndGradientsMatchFiniteDifferences(int n, int cin, int h, int w, int cout, int kh, int kw,
        int sh, int sw, int ph, int pw, int groups, bool bias)
    {
        var rng = new Rng(n * 1000 + cin * 100 + kh * 10 + kw + groups);
        int[] xs = [n, cin, h, w], ws = [cout, cin / groups, kh, kw];
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var wt = rng.Uniform(Tensor.ShapeLength(ws));
        var b = rng.Uniform(cout);
        double[]? bOrNull = bias ? b : null;
        Func<double[], double[], double[]?, double[]> f = (x_, w_, b_) => RefSpatial.Conv2d(x_, xs, w_, ws, b_, sh, sw, ph, pw, groups);
        var y = f(x, wt, bOrNull);
        var gy = rng.Uniform(y.Length);
        OpInput[] inputs = bias ? [new(x, xs), new(wt, ws), new(b, [cout])] : [new(x, xs), new(wt, ws)];
        var r = OpRunner.Run(Conv(sh, sw, ph, pw, groups), inputs, gy);

        Check.Close(r.Output, y, "conv2d forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => f(p, wt, bOrNull), x, gy), "conv2d grad x vs finite differences");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => f(x, p, bOrNull), wt, gy), "conv2d grad w vs finite differences");
        if (bias) Check.Close(r.Grads[2], GradCheck.Numeric(p => f(x, wt, p), b, gy), "conv2d grad b vs finite differences");
    }

    // The fused conv + activation must be exactly the two ops: same outputs, same gradients for x, w and b (K = 2).
    [Theory]
    [InlineData("silu", 1, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1, 1)]
    [InlineData("relu", 2, 6, 8, 6, 6, 1, 1, 1, 1, 0, 0, 1)]
    [InlineData("sigmoid", 1, 4, 9, 9, 4, 3, 3, 2, 2, 1, 1, 4)]
    [InlineData("gelu", 1, 4, 7, 10, 6, 3, 3, 2, 1, 1, 1, 2)]
    [InlineData("silu", 2, 6, 40, 37, 10, 3, 3, 1, 1, 1, 1, 1)] // many pixel tiles per image (the fused epilogue per tile)
    [InlineData("silu", 2, 6, 45, 41, 9, 1, 1, 1, 1, 0, 0, 1)]  // 1×1 as a plain GEMM, several tiles
    public void ConvActivationIsExactlyConvThenActivation(string actName, int n, int cin, int h, int w, int cout, int kh, int kw,
        int sh, int sw, int ph, int pw, int groups)
    {
        var act = actName switch { "silu" => UnaryOp.Silu, "relu" => UnaryOp.Relu, "sigmoid" => UnaryOp.Sigmoid, _ => UnaryOp.Gelu };
        var rng = new Rng(cin * 31 + h);
        int[] xs = [n, cin, h, w], ws = [cout, cin / groups, kh, kw];
        OpInput[] inputs = [new(rng.Uniform(Tensor.ShapeLength(xs)), xs), new(rng.Uniform(Tensor.ShapeLength(ws)), ws), new(rng.Uniform(cout), [cout])];
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
        var gy = rng.Uniform(2 * n * cout * oh * ow);

        var fused = OpRunner.Run(v => Ops.Conv2dActivation(v[0], v[1], v[2], (sh, sw), (ph, pw), groups, act).Activated, inputs, gy);
        var twoOps = OpRunner.Run(v => Ops.Unary(act, Ops.Conv2d(v[0], v[1], v[2], (sh, sw), (ph, pw), groups)), inputs, gy);

        Assert.Equal(twoOps.OutputShape, fused.OutputShape);
        Check.Close(fused.Output, twoOps.Output, "fused forward", rtol: 1e-6, atol: 1e-7);
        for (int i = 0; i < 3; i++)
            Check.Close(fused.Grads[i]!, twoOps.Grads[i]!, $"fused grad {i}", rtol: 1e-6, atol: 1e-7);
    }

    // On an inference tape the fused op keeps only the activated output (the backend activates in place): the same
    // values bit for bit; an input that requires a gradient brings the conv output back.
    [Theory]
    [InlineData(1, 5, 9, 40, 16, 3, 3, 1, 1, 1, 1, 1)]   // indirect GEMM (flat) on the SIMD backend
    [InlineData(2, 6, 13, 30, 8, 3, 3, 2, 2, 1, 1, 1)]   // stride 2
    [InlineData(1, 6, 9, 11, 9, 1, 1, 1, 1, 0, 0, 1)]    // 1×1
    [InlineData(1, 8, 9, 11, 8, 3, 3, 1, 1, 1, 1, 8)]    // depth-wise
    public void AnInferenceTapeKeepsOnlyTheActivatedOutput(int n, int cin, int h, int w, int cout, int kh, int kw,
        int sh, int sw, int ph, int pw, int groups)
    {
        var rng = new Rng(cin + 7 * h + w);
        var device = TestDevice.CurrentOrDefault;
        using var x = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(n * cin * h * w)), n, cin, h, w);
        using var wt = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(cout * cin / groups * kh * kw)), cout, cin / groups, kh, kw);
        using var b = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(cout)), cout);
        (Var? Conv, Var Activated) Run(bool xGrad) =>
            Ops.Conv2dActivation(Var.Input(x, xGrad), Var.Input(wt), Var.Input(b), (sh, sw), (ph, pw), groups, UnaryOp.Silu);
        float[] normal, inference;
        using (new Tape())
        {
            var (conv, a) = Run(false);
            Assert.NotNull(conv);
            normal = a.Value.ToArray();
        }
        using (new Tape { Inference = true })
        {
            var (conv, a) = Run(false);
            Assert.Null(conv);
            inference = a.Value.ToArray();
            Assert.NotNull(Run(true).Conv);
        }
        Assert.Equal(normal, inference);
    }

    // Larger shapes exercise many register tiles, tiles that overhang rows and groups (channel counts that are not
    // multiples of 4, row widths that are not multiples of 8) and both load paths; gradients against the float64
    // scatter-form backward (finite differences would be slow at this size).
    [Theory]
    [InlineData(2, 10, 13, 37, 11, 3, 3, 1, 1, 1, 1, 1)]
    [InlineData(1, 12, 17, 20, 18, 3, 3, 2, 2, 1, 1, 3)]
    [InlineData(1, 7, 9, 26, 9, 1, 1, 1, 1, 0, 0, 1)]
    [InlineData(1, 6, 11, 19, 6, 5, 5, 1, 2, 2, 2, 6)]
    [InlineData(2, 6, 10, 18, 5, 3, 1, 1, 3, 1, 0, 1)]
    public void ManyTilesMatchFloat64(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int groups)
    {
        var rng = new Rng(cin * h + w);
        int[] xs = [n, cin, h, w], ws = [cout, cin / groups, kh, kw];
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var wt = rng.Uniform(Tensor.ShapeLength(ws));
        var b = rng.Uniform(cout);
        var y = RefSpatial.Conv2d(x, xs, wt, ws, b, sh, sw, ph, pw, groups);
        var gy = rng.Uniform(y.Length);
        var r = OpRunner.Run(Conv(sh, sw, ph, pw, groups), [new(x, xs), new(wt, ws), new(b, [cout])], gy);
        var (gx, gw, gb) = RefSpatial.Conv2dBackward(x, xs, wt, ws, gy, sh, sw, ph, pw, groups);
        // Weight and bias gradients sum hundreds of products: 1e-4 absolute covers float32 accumulation error.
        Check.Close(r.Output, y, "conv2d forward");
        Check.Close(r.Grads[0], gx, "conv2d grad x");
        Check.Close(r.Grads[1], gw, "conv2d grad w", atol: 1e-4);
        Check.Close(r.Grads[2], gb, "conv2d grad b", atol: 1e-4);
    }

    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(File).Where(c => c.Str("op") == "conv2d").Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var (stride, padding) = (c.Ints("stride"), c.Ints("padding"));
        var r = SpatialFixture.Run(c, Conv(stride[0], stride[1], padding[0], padding[1], c.Int("groups")), "x", "w", "b");
        SpatialFixture.CheckAll(c, r, "x", "w", "b");
    }

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var rng = new Rng(11);
        int[] xs = [2, 4, 6, 5], ws = [6, 2, 3, 3];
        var x = rng.Uniform(240);
        var w = rng.Uniform(108);
        var b = rng.Uniform(6);
        var f = Conv(1, 2, 1, 1, 2);
        OpInput[] inputs = [new(x, xs), new(w, ws), new(b, [6])];
        int ny = 2 * 6 * 6 * 3;
        var gys = new[] { rng.Uniform(ny), rng.Uniform(ny), rng.Uniform(ny) };
        var batched = OpRunner.Run(f, inputs, gys.SelectMany(g => g).ToArray());
        for (int k = 0; k < 3; k++)
        {
            var single = OpRunner.Run(f, inputs, gys[k]);
            for (int i = 0; i < 3; i++)
            {
                int len = single.Grads[i]!.Length;
                Check.Close(batched.Grads[i].AsSpan(k * len, len), single.Grads[i], $"target {k} grad {i}", 1e-6, 1e-7);
            }
        }
    }

    // Backend contract: when both image tensors carry K·N images, slice k of gw sums over target k's images only.
    [Fact]
    public void WeightGradientOfPerTargetInputsSumsEachTargetsImages()
    {
        var device = TestDevice.CurrentOrDefault;
        var rng = new Rng(23);
        int[] xs = [2, 3, 5, 6], ws = [4, 3, 3, 3]; // per target: N = 2 images
        var xk = new[] { rng.Uniform(180), rng.Uniform(180) };
        var gyk = new[] { rng.Uniform(2 * 4 * 5 * 6), rng.Uniform(2 * 4 * 5 * 6) };
        var wt = rng.Uniform(108);
        using var x = Tensor.FromArray(device, OpRunner.ToFloat(xk[0].Concat(xk[1]).ToArray()), 2, 2, 3, 5, 6);
        using var gy = Tensor.FromArray(device, OpRunner.ToFloat(gyk[0].Concat(gyk[1]).ToArray()), 2, 2, 4, 5, 6);
        using var gw = Tensor.Empty(device, 2, 4, 3, 3, 3);
        device.Backend.Conv2dBackwardWeight(x, gy, gw, new ConvGeometry(1, 1, 1, 1));
        var got = gw.ToArray();
        for (int k = 0; k < 2; k++)
            Check.Close(got.AsSpan(k * 108, 108), RefSpatial.Conv2dBackward(xk[k], xs, wt, ws, gyk[k], 1, 1, 1, 1, 1).Gw, $"target {k} gw");
    }

    [Fact]
    public void ForwardAndBackwardInATapeReturnAllMemory()
    {
        var device = TestDevice.CurrentOrDefault;
        var rng = new Rng(5);
        using var x = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(2 * 4 * 9 * 7)), 2, 4, 9, 7);
        using var w = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(8 * 4 * 9)), 8, 4, 3, 3);
        using var b = Tensor.FromArray(device, OpRunner.ToFloat(rng.Uniform(8)), 8);
        using var gy = Tensor.Full(device, 0.5f, 2, 2, 8, 5, 4);
        long before = device.Pool.LiveBytes;
        for (int i = 0; i < 20; i++)
        {
            using var tape = new Tape();
            var (vx, vw, vb) = (Var.Input(x, true), Var.Input(w, true), Var.Input(b, true));
            var y = Ops.Conv2d(vx, vw, vb, stride: 2, padding: 1);
            y.Backward(gy);
            Assert.NotNull(vw.Grad);
        }
        Assert.Equal(before, device.Pool.LiveBytes);
    }

    [Fact]
    public void RejectsMismatchedShapesWithClearMessages()
    {
        var device = TestDevice.CurrentOrDefault;
        using var x = Tensor.Zeros(device, 1, 5, 4, 4);
        using var w = Tensor.Zeros(device, 4, 3, 3, 3);
        using var b = Tensor.Zeros(device, 3);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Var.Input(x), Var.Input(w), null, 1, 1, groups: 2));
        Assert.Equal("Conv2d: input has 5 channels, weight expects 6 (3 per group x 2 groups)", e.Message);
        using var x6 = Tensor.Zeros(device, 1, 6, 4, 4);
        e = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Var.Input(x6), Var.Input(w), Var.Input(b), 1, 1, groups: 2));
        Assert.Contains("bias [3] does not match 4 output channels", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Var.Input(x6), Var.Input(w), null, 1, 0, groups: 3));
        Assert.Contains("4 output channels do not split into 3 groups", e.Message);
    }
}
