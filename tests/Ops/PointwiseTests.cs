using NativeCam.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace NativeCam.Tests;

/// <summary>
/// Every <see cref="UnaryOp"/> (enumerated: a new op is tested here without editing this file) against its float64
/// reference, densely and with relative tolerances: near 0 (±1e-38 … 1), at and around the kinks (−3, 0, 3, 6: the
/// float itself, its 8 neighbours on each side, ±1e-7 … ±0.1), a 1e-3 grid over [−20, 20], large |x| up to ±float.Max,
/// ±∞ and NaN. Three implementations: the scalar definition (Pointwise.Forward/Derivative, what the ILGPU kernels
/// run) on every point, the SIMD backend at every vector width on every point, the ILGPU backend on a sample (its CPU
/// accelerator costs ~1 µs a simulated thread). Then every op, and every BinaryOp, through both backends' checks.
/// </summary>
public sealed class PointwiseTests : IDisposable
{
    /// <summary>
    /// Relative bound of an op whose float formula is exact up to rounding: 4 ulps. The approximated ops, measured
    /// (max relative error over the grid, docs/ops/elementwise.md), have their own bounds below.
    /// </summary>
    const double DefaultBound = 4.8e-7;

    static readonly Dictionary<UnaryOp, (double Forward, double Derivative)> Bounds = new()
    {
        [UnaryOp.Sigmoid] = (4e-7, 6e-7),   // e^x: Cody–Waite + degree-6 polynomial
        [UnaryOp.Silu] = (4e-7, 6e-7),
        [UnaryOp.Tanh] = (4e-7, 6e-7),      // Cephes' polynomial below 0.625, 1 − 2/(e^2|x| + 1) above
        [UnaryOp.Gelu] = (2.5e-5, 2.5e-5),  // erfc fit 1.2e-7, then the rounding of the exponent −x²/2 in the far left tail
    };

    /// <summary>
    /// Derivative roots (f′ = σ(x)(1 + xσ(−x)) and Φ(x) + xφ(x) cross 0 as their two terms cancel): within the window
    /// around them the rounding of the terms (~1e-7) is an absolute error, allowed as such, not a relative one.
    /// </summary>
    static readonly Dictionary<UnaryOp, (double Root, double Window)> DerivativeRoot = new()
    {
        [UnaryOp.Silu] = (-2.3994, 1.5),
        [UnaryOp.Gelu] = (-0.7518, 0.5),
    };

    const double RootWindowError = 2e-7, Alpha = RefElementwise.Alpha;

    public static TheoryData<SimdWidth> Widths => CpuKernelTests.Widths;

    public static TheoryData<UnaryOp> AllOps()
    {
        var data = new TheoryData<UnaryOp>();
        foreach (var op in Enum.GetValues<UnaryOp>()) data.Add(op);
        return data;
    }

    readonly List<Tensor> _tensors = [];
    readonly ITestOutputHelper _output;

    /// <param name="output">Where each check writes its measured maximum relative error (docs/ops/elementwise.md quotes them).</param>
    public PointwiseTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        foreach (var t in _tensors) t.Dispose();
    }

    /// <summary>The dense grid of inputs (all float32 values).</summary>
    public static float[] Grid()
    {
        var xs = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon };
        for (double e = -38; e <= 0; e += 0.25) xs.AddRange([(float)Math.Pow(10, e), -(float)Math.Pow(10, e)]);
        for (double e = 0.125; e <= 38.5; e += 0.125) xs.AddRange([(float)Math.Pow(10, e), -(float)Math.Pow(10, e)]);
        foreach (float k in new[] { -3f, 0f, 3f, 6f, -1.5f })
        {
            xs.Add(k);
            float up = k, down = k;
            for (int i = 0; i < 8; i++) xs.AddRange([up = MathF.BitIncrement(up), down = MathF.BitDecrement(down)]);
            for (int p = 1; p <= 7; p++) xs.AddRange([k + (float)Math.Pow(10, -p), k - (float)Math.Pow(10, -p)]);
        }
        for (int i = 0; i <= 40000; i++) xs.Add((float)(-20 + i * 1e-3));
        return [.. xs];
    }

    /// <summary>
    /// got[i] against the float64 reference at x[i]: NaN where the reference is NaN, equal where it is ±∞, else within
    /// bound·|reference| (plus 2^−126 where the reference is below the normal floats, and the root window's absolute error).
    /// </summary>
    void AssertClose(UnaryOp op, bool derivative, float[] x, float[] got, string what)
    {
        var b = Bounds.GetValueOrDefault(op, (DefaultBound, DefaultBound));
        double bound = derivative ? b.Item2 : b.Item1, worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = derivative ? RefElementwise.Derivative(op, x[i]) : RefElementwise.Forward(op, x[i]);
            double g = got[i];
            if (double.IsNaN(e)) { Assert.True(double.IsNaN(g), $"{what}({x[i]:R}) = {g:R}, expected NaN"); continue; }
            if (double.IsInfinity(e)) { Assert.True(g == e, $"{what}({x[i]:R}) = {g:R}, expected {e}"); continue; }
            bool nearRoot = derivative && DerivativeRoot.TryGetValue(op, out var r) && Math.Abs(x[i] - r.Root) < r.Window;
            double err = Math.Abs(g - e), allowed = bound * Math.Abs(e) + 1.1754943508222875e-38 + (nearRoot ? RootWindowError : 0);
            Assert.True(err <= allowed, $"{what}({x[i]:R}) = {g:R}, expected {e:R}: relative error {err / Math.Abs(e):E2} > {bound:E1}");
            if (!nearRoot && Math.Abs(e) >= 1.1754943508222875e-38) worst = Math.Max(worst, err / Math.Abs(e));
        }
        Assert.True(worst <= bound, $"{what}: {worst}");
        _output.WriteLine($"{what}: max relative error {worst:E2} (bound {bound:E1})");
    }

    [Theory]
    [MemberData(nameof(AllOps))]
    public void ScalarDefinitionMatchesFloat64Densely(UnaryOp op)
    {
        var x = Grid();
        AssertClose(op, false, x, x.Select(v => Pointwise.Forward(op, v, (float)Alpha)).ToArray(), $"scalar {op}");
        AssertClose(op, true, x, x.Select(v => Pointwise.Derivative(op, v, (float)Alpha)).ToArray(), $"scalar {op}'");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SimdBackendMatchesFloat64DenselyAtEveryWidth(SimdWidth width)
    {
        var b = new CpuBackend(TestDevice.Simd, width);
        var data = Grid();
        var x = Up(TestDevice.Simd, data);
        var ones = Up(TestDevice.Simd, Enumerable.Repeat(1f, data.Length).ToArray());
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var y = Empty(TestDevice.Simd, data.Length);
            var gx = Empty(TestDevice.Simd, data.Length);
            b.Unary(op, x, y, (float)Alpha);
            b.UnaryBackward(op, x, ones, gx, (float)Alpha);
            AssertClose(op, false, data, y.ToArray(), $"{width} {op}");
            AssertClose(op, true, data, gx.ToArray(), $"{width} {op}'");
        }
    }

    [Fact]
    public void IlgpuBackendMatchesFloat64OnASample()
    {
        var d = TestDevice.Ilgpu;
        var grid = Grid();
        var data = grid.Take(grid.Length - 40001).Concat(grid.Skip(grid.Length - 40001).Where((_, i) => i % 37 == 0)).ToArray();
        var x = Up(d, data);
        var ones = Up(d, Enumerable.Repeat(1f, data.Length).ToArray());
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var y = Empty(d, data.Length);
            var gx = Empty(d, data.Length);
            d.Backend.Unary(op, x, y, (float)Alpha);
            d.Backend.UnaryBackward(op, x, ones, gx, (float)Alpha);
            AssertClose(op, false, data, y.ToArray(), $"ILGPU {op}");
            AssertClose(op, true, data, gx.ToArray(), $"ILGPU {op}'");
        }
    }

    public static TheoryData<string> Backends() => new() { "simd", "ilgpu" };

    static Device On(string backend) => backend == "simd" ? TestDevice.Simd : TestDevice.Ilgpu;

    /// <summary>Every op forward, backward with K = 2 targets and the guided rule, on each backend: each op has a case in every switch.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void EveryUnaryOpRunsForwardBackwardAndGuidedOnEachBackend(string backend)
    {
        var d = On(backend);
        var rng = new Rng(5);
        var data = rng.Uniform(23, -8, 8).Select(v => (float)v).ToArray();
        var g = rng.Uniform(46).Select(v => (float)v).ToArray();
        var x = Up(d, data);
        var gy = Up(d, g);
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var y = Empty(d, 23);
            var gx = Empty(d, 46);
            var guided = Empty(d, 46);
            d.Backend.Unary(op, x, y, (float)Alpha);
            d.Backend.UnaryBackward(op, x, gy, gx, (float)Alpha);
            d.Backend.UnaryBackwardGuided(op, x, gy, guided);
            Check.Close(y.ToArray(), data.Select(v => RefElementwise.Forward(op, v)).ToArray(), $"{backend} {op}", 1e-5, 1e-6);
            Check.Close(gx.ToArray(), g.Select((v, i) => v * RefElementwise.Derivative(op, data[i % 23])).ToArray(), $"{backend} {op}'", 1e-5, 1e-6);
            Check.Close(guided.ToArray(), g.Select((v, i) => Math.Max(v, 0) * RefElementwise.Derivative(op, data[i % 23], 1)).ToArray(),
                $"{backend} guided {op}'", 1e-5, 1e-6);
        }
    }

    /// <summary>Every activation (every op but Scale) fused into a conv, on each backend and every SIMD width, GEMM and depthwise paths, in place too.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void EveryActivationFusesIntoConv2d(string backend)
    {
        var d = On(backend);
        IBackend[] backends = backend == "simd"
            ? [.. new[] { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar }.Select(w => (IBackend)new CpuBackend(d, w))]
            : [d.Backend];
        var rng = new Rng(9);
        var x = Up(d, rng.Uniform(2 * 4 * 6 * 6, -3, 3).Select(v => (float)v).ToArray(), 2, 4, 6, 6);
        var g = new ConvGeometry(1, 1, 1, 1, 1);
        foreach (var be in backends)
            foreach (int groups in new[] { 1, 4 })
            {
                var w = Up(d, rng.Uniform(8 * (4 / groups) * 9, -1, 1).Select(v => (float)v).ToArray(), 8, 4 / groups, 3, 3);
                var bias = Up(d, rng.Uniform(8, -2, 2).Select(v => (float)v).ToArray(), 8);
                var geometry = g with { Groups = groups };
                var conv = Empty(d, 2, 8, 6, 6);
                be.Conv2d(x, w, bias, conv, geometry);
                var c = conv.ToArray();
                foreach (var op in Enum.GetValues<UnaryOp>().Where(o => o != UnaryOp.Scale))
                {
                    var y = Empty(d, 2, 8, 6, 6);
                    var a = Empty(d, 2, 8, 6, 6);
                    be.Conv2dActivation(x, w, bias, y, a, geometry, op);
                    var expected = c.Select(v => RefElementwise.Forward(op, v)).ToArray();
                    Check.Close(y.ToArray(), c.Select(v => (double)v).ToArray(), $"{backend} conv before {op}, groups {groups}", 1e-6, 1e-6);
                    Check.Close(a.ToArray(), expected, $"{backend} conv + {op}, groups {groups}", 1e-5, 1e-6);
                    var inPlace = Empty(d, 2, 8, 6, 6);
                    be.Conv2dActivation(x, w, bias, inPlace, inPlace, geometry, op);
                    Check.Close(inPlace.ToArray(), expected, $"{backend} conv + {op} in place, groups {groups}", 1e-5, 1e-6);
                }
                Assert.Throws<ArgumentException>(() => be.Conv2dActivation(x, w, bias, conv, conv, geometry, UnaryOp.Scale));
            }
    }

    /// <summary>A value that is no op is refused on the host by every entry point of both backends (no silent default).</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void AnUnknownOpThrowsInsteadOfComputingAnotherOne(string backend)
    {
        var d = On(backend);
        var be = d.Backend;
        var t = Up(d, [1f, -1f, 2f, 0.5f]);
        var u = Empty(d, 4);
        var unknown = (UnaryOp)Enum.GetValues<UnaryOp>().Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Unary(unknown, t, u));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.UnaryBackward(unknown, t, t, u));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.UnaryBackwardGuided(unknown, t, t, u));
        var x4 = Up(d, [1f, 2f, 3f, 4f], 1, 1, 2, 2);
        var w4 = Up(d, [1f], 1, 1, 1, 1);
        var y4 = Empty(d, 1, 1, 2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Conv2dActivation(x4, w4, null, y4, y4, new ConvGeometry(1, 1, 0, 0, 1), unknown));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pointwise.Check(unknown));
        Assert.True(float.IsNaN(Pointwise.Forward(unknown, 1f, 1f)) && float.IsNaN(Pointwise.Derivative(unknown, 1f, 1f)));

        var binaryUnknown = (BinaryOp)Enum.GetValues<BinaryOp>().Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Binary(binaryUnknown, t, t, u, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.BinaryBackwardB(binaryUnknown, t, t, u, 1));

        var reduceUnknown = (ReduceOp)Enum.GetValues<ReduceOp>().Length;
        var sum = Empty(d, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Reduce(reduceUnknown, t, sum, 1, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.ReduceBackward(reduceUnknown, t, sum, u, 1, 4, 1));
    }

    /// <summary>Every BinaryOp forward and both gradients on each backend.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void EveryBinaryOpRunsOnEachBackend(string backend)
    {
        var d = On(backend);
        var a = new[] { 1f, -2f, 3f, 0.5f, -1f, 4f };
        var b = new[] { 2f, -3f };
        var g = new[] { 1f, 2f, -1f, 0.5f, 3f, -2f };
        var at = Up(d, a);
        var bt = Up(d, b);
        var gt = Up(d, g);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var name = op.ToString().ToLowerInvariant();
            var y = Empty(d, 6);
            d.Backend.Binary(op, at, bt, y, 3);
            Check.Close(y.ToArray(), RefElementwise.Binary(name, [.. a.Select(v => (double)v)], [.. b.Select(v => (double)v)], 3), $"{backend} {op}");
            var gb = Empty(d, 2);
            d.Backend.BinaryBackwardB(op, at, gt, gb, 3);
            var expected = new double[2];
            for (int i = 0; i < 6; i++) expected[i / 3] += g[i] * (op == BinaryOp.Mul ? a[i] : 1);
            Check.Close(gb.ToArray(), expected, $"{backend} {op} grad b");
        }
    }

    Tensor Up(Device d, float[] data, params int[] shape)
    {
        var t = Tensor.FromArray(d, data, shape.Length == 0 ? [data.Length] : shape);
        _tensors.Add(t);
        return t;
    }

    Tensor Empty(Device d, params int[] shape)
    {
        var t = Tensor.Empty(d, shape);
        _tensors.Add(t);
        return t;
    }
}
