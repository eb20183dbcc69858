using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>MaxPool2d and nearest Upsample: forward vs float64, backward vs finite differences and PyTorch, ties, K targets.</summary>
public abstract class PoolingTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : PoolingTests(TestDevice.Simd);
    public sealed class Ilgpu() : PoolingTests(TestDevice.Ilgpu);

    const string File = "ops/spatial.json";

    [Theory]
    //          n  c  h   w  k  s  p
    [InlineData(2, 3, 7, 5, 5, 1, 2)]    // SPPF
    [InlineData(1, 2, 7, 9, 2, 2, 0)]    // odd sizes drop the last row and column
    [InlineData(1, 3, 9, 7, 3, 2, 1)]
    [InlineData(1, 2, 9, 11, 9, 1, 4)]   // SPP
    [InlineData(1, 1, 13, 10, 13, 1, 6)] // SPP
    [InlineData(2, 2, 6, 6, 1, 1, 0)]    // identity window
    public void MaxPoolMatchesFloat64AndFiniteDifferences(int n, int c, int h, int w, int k, int s, int p)
    {
        var rng = new Rng(h * w + k);
        int[] xs = [n, c, h, w];
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var y = RefSpatial.MaxPool2d(x, xs, k, s, p).Y;
        var gy = rng.Uniform(y.Length);
        var r = OpRunner.Run(v => Ops.MaxPool2d(v[0], k, s, p), [new(x, xs)], gy);
        Check.Close(r.Output, y, "maxpool forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(q => RefSpatial.MaxPool2d(q, xs, k, s, p).Y, x, gy), "maxpool grad vs finite differences");
    }

    // ceil_mode=True (GoogLeNet, SqueezeNet): a last, partial window; and a case where the extra window would start in
    // the right padding, so PyTorch drops it (k 2, s 2, p 1 over 5 columns: windows at −1, 1, 3; one at 5 is dropped).
    [Theory]
    //          n  c  h   w   k  s  p  oh  ow
    [InlineData(1, 2, 8, 10, 3, 2, 0, 4, 5)]   // GoogLeNet's maxpool1-3 on even sizes: floor 3×4
    [InlineData(1, 3, 7, 9, 2, 2, 0, 4, 5)]    // GoogLeNet's maxpool4 on odd sizes: floor 3×4
    [InlineData(2, 2, 6, 5, 3, 1, 1, 6, 5)]    // inception branch4: stride 1, ceil = floor
    [InlineData(1, 2, 8, 9, 3, 2, 1, 5, 5)]    // padded: 8 → 5 (extra window at 7), 9 → 5 (floor covers it)
    [InlineData(1, 2, 8, 5, 2, 2, 1, 5, 3)]    // padded: 5 → 3 (the extra window would start at 5, in the padding)
    [InlineData(1, 1, 5, 13, 3, 3, 0, 2, 5)]   // stride 3 = kernel: windows of 2 and 1 columns at the end
    [InlineData(1, 2, 1, 5, 2, 2, 0, 1, 3)]    // one row, smaller than the kernel: one clipped window (GoogLeNet's maxpool4 on a 1-pixel map)
    [InlineData(1, 1, 2, 5, 3, 2, 0, 1, 2)]    // two rows under a 3-row kernel
    public void MaxPoolCeilModeMatchesFloat64AndFiniteDifferences(int n, int c, int h, int w, int k, int s, int p, int oh, int ow)
    {
        var rng = new Rng(h * w + k + 101);
        int[] xs = [n, c, h, w];
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var y = RefSpatial.MaxPool2d(x, xs, k, s, p, ceil: true).Y;
        Assert.Equal(n * c * oh * ow, y.Length);
        var gy = rng.Uniform(y.Length);
        var r = OpRunner.Run(v => Ops.MaxPool2d(v[0], k, s, p, ceilMode: true), [new(x, xs)], gy);
        Assert.Equal([n, c, oh, ow], r.OutputShape);
        Check.Close(r.Output, y, "maxpool ceil forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(q => RefSpatial.MaxPool2d(q, xs, k, s, p, ceil: true).Y, x, gy), "maxpool ceil grad vs finite differences");
    }

    // Constant or repeated values: PyTorch hands each window's gradient to its first maximum in row-major order.
    [Fact]
    public void MaxPoolTiesGoToTheFirstMaximum()
    {
        int[] xs = [1, 2, 5, 6];
        var rng = new Rng(3);
        var x = Enumerable.Range(0, 60).Select(i => i < 30 ? 1.0 : Math.Round(rng.Uniform(1)[0] * 2) / 2).ToArray();
        var gy = rng.Uniform(2 * 2 * 5 * 6);
        var r = OpRunner.Run(v => Ops.MaxPool2d(v[0], 3, 1, 1), [new(x, xs)], gy);
        Check.Close(r.Output, RefSpatial.MaxPool2d(x, xs, 3, 1, 1).Y, "maxpool forward with ties");
        Check.Close(r.Grads[0], RefSpatial.MaxPool2dBackward(x, xs, gy, 3, 1, 1), "maxpool grad with ties");
    }

    [Theory]
    [InlineData(2, 3, 3, 5, 2)]
    [InlineData(1, 2, 4, 1, 3)]
    [InlineData(1, 1, 2, 2, 1)]
    public void UpsampleMatchesFloat64AndFiniteDifferences(int n, int c, int h, int w, int scale)
    {
        var rng = new Rng(h * w * scale);
        int[] xs = [n, c, h, w];
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var gy = rng.Uniform(x.Length * scale * scale);
        var r = OpRunner.Run(v => Ops.Upsample(v[0], scale), [new(x, xs)], gy);
        Assert.Equal([n, c, h * scale, w * scale], r.OutputShape);
        Check.Close(r.Output, RefSpatial.Upsample(x, xs, scale), "upsample forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(q => RefSpatial.Upsample(q, xs, scale), x, gy), "upsample grad vs finite differences");
    }

    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(File).Where(c => c.Str("op") is "maxpool2d" or "upsample").Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name)
    {
        var c = Fixtures.Case(File, name);
        Func<Var[], Var> op = c.Str("op") == "upsample"
            ? v => Ops.Upsample(v[0], c.Int("scale"))
            : v => Ops.MaxPool2d(v[0], c.Int("kernel"), c.Int("stride"), c.Int("padding"), c.Has("ceil_mode") && c.Params.GetProperty("ceil_mode").GetBoolean());
        SpatialFixture.CheckAll(c, SpatialFixture.Run(c, op, "x"), "x");
    }

    [Theory]
    [InlineData("maxpool")]
    [InlineData("upsample")]
    public void KTargetsInOneSweepEqualKSeparateSweeps(string which)
    {
        var rng = new Rng(17);
        Func<Var[], Var> f = which == "maxpool" ? v => Ops.MaxPool2d(v[0], 3, 2, 1) : v => Ops.Upsample(v[0], 2);
        OpInput[] inputs = [new(rng.Uniform(2 * 3 * 7 * 5), [2, 3, 7, 5])];
        int ny = which == "maxpool" ? 2 * 3 * 4 * 3 : 2 * 3 * 14 * 10;
        var gys = new[] { rng.Uniform(ny), rng.Uniform(ny), rng.Uniform(ny) };
        var batched = OpRunner.Run(f, inputs, gys.SelectMany(g => g).ToArray());
        for (int k = 0; k < 3; k++)
        {
            var single = OpRunner.Run(f, inputs, gys[k]);
            Check.Close(batched.Grads[0].AsSpan(k * 210, 210), single.Grads[0], $"target {k}", 1e-6, 1e-7);
        }
    }

    // Ceil mode gives no window at all when even the rounded-up division is below one (PyTorch: "output size is too small").
    [Fact]
    public void MaxPoolCeilModeRejectsAnInputWithNoWindow()
    {
        using var x = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 1, 1, 5);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.MaxPool2d(Var.Input(x), 3, 2, 0, ceilMode: true));
        Assert.Contains("larger than the padded input", e.Message);
        Assert.Equal([1, 1, 1, 3], Ops.MaxPool2d(Var.Input(x), 2, 2, 0, ceilMode: true).Shape); // columns 0-1, 2-3, 4
    }

    [Fact]
    public void MaxPoolRejectsPaddingOverHalfTheKernel()
    {
        using var x = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 1, 5, 5);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.MaxPool2d(Var.Input(x), 3, 1, 2));
        Assert.Contains("padding must be at most half the kernel", e.Message);
    }
}
