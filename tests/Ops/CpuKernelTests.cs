using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// The SIMD CPU kernels called directly, at each vector width (Vector512, Vector256 and the one-lane fallback, so
/// the paths this machine does not pick by itself are tested too), on what the op tests do not reach: ragged
/// vector ends, inputs crossing the parallel ranges, K targets, every broadcast form, reductions with inner = 1
/// and inner &gt; 16, the exp/erf approximations over their whole range, and the strided copies ViT uses.
/// References are float64 loops.
/// </summary>
public sealed class CpuKernelTests : IDisposable
{
    public static TheoryData<SimdWidth> Widths => new() { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar };

    static readonly int[] Lengths = [1, 15, 16, 17, 31, 33, 100003];

    readonly List<Tensor> _tensors = [];

    static Device Device => TestDevice.Default;

    static CpuBackend Backend(SimdWidth width) => new(Device, width);

    public void Dispose()
    {
        foreach (var t in _tensors) t.Dispose();
    }

    Tensor Up(double[] data, params int[] shape)
    {
        var t = Tensor.FromArray(Device, OpRunner.ToFloat(data), shape.Length == 0 ? [data.Length] : shape);
        _tensors.Add(t);
        return t;
    }

    /// <summary>An output tensor (NaN-filled by the poisoned pool: an element a kernel forgets fails the check).</summary>
    Tensor Empty(params int[] shape)
    {
        var t = Tensor.Empty(Device, shape);
        _tensors.Add(t);
        return t;
    }

    static double[] F(double[] a) => a.Select(v => (double)(float)v).ToArray();

    // ---- Elementwise ----------------------------------------------------------------------------------------

    /// <summary>Every pointwise op, with its name for messages and the float64 reference (RefElementwise, which throws for an op it lacks).</summary>
    static readonly (UnaryOp Op, string Name)[] Activations = Enum.GetValues<UnaryOp>().Select(op => (op, op.ToString().ToLowerInvariant())).ToArray();

    static double Derivative(string op, double x) => RefElementwise.Derivative(RefElementwise.Op(op), x);

    [Theory]
    [MemberData(nameof(Widths))]
    public void AddReluAtEveryRaggedLength(SimdWidth width)
    {
        var b = Backend(width);
        foreach (int n in Lengths)
        {
            var rng = new Rng(n + 7);
            double[] a = F(rng.Uniform(n, -3, 3)), c = F(rng.Uniform(n, -3, 3));
            a[0] = double.NaN; // a NaN sum stays NaN, as Relu's (torch.relu's) does
            var y = Empty(n);
            b.AddRelu(Up(a), Up(c), y);
            var got = y.ToArray();
            Assert.True(float.IsNaN(got[0]), $"add + relu at length {n}: a NaN sum gave {got[0]}");
            Check.Close(got.AsSpan(1), a.Zip(c, (u, v) => (double)((float)u + (float)v) is var s && s > 0 ? s : 0).Skip(1).ToArray(), $"add + relu at length {n}", 0, 0);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void UnaryForwardAtEveryRaggedLength(SimdWidth width)
    {
        var b = Backend(width);
        foreach (int n in Lengths)
        {
            var data = new Rng(n).Uniform(n, -6, 6);
            var x = Up(data);
            foreach (var (op, name) in Activations)
            {
                var y = Empty(n);
                b.Unary(op, x, y, 0.75f);
                Check.Close(y.ToArray(), data.Select(v => RefElementwise.Apply(name, v)).ToArray(), $"{name} at length {n}");
            }
        }
    }

    /// <summary>exp, sigmoid and Φ far into their tails: finite where float64 is, and within tolerance everywhere.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void ActivationsAndDerivativesOverTheWholeRange(SimdWidth width)
    {
        var b = Backend(width);
        double[] special = [-1e30, -1000, -200, -104, -103.9, -100, -88.8, -88.7, -87.4, -50, -20, -13, -9.5, -5, -1e-3, -1e-30,
            0, 1e-30, 1e-3, 5, 9.5, 13, 20, 50, 88.7, 88.8, 100, 1000, 1e30];
        var grid = Enumerable.Range(0, 40001).Select(i => -20 + i * 1e-3).ToArray();
        var data = F([.. special, .. grid]);
        var x = Up(data);
        var gy = Up(Enumerable.Repeat(1.0, data.Length).ToArray());
        foreach (var (op, name) in Activations)
        {
            var y = Empty(data.Length);
            var gx = Empty(data.Length);
            b.Unary(op, x, y, 0.75f);
            b.UnaryBackward(op, x, gy, gx, 0.75f);
            var yv = y.ToArray();
            var gv = gx.ToArray();
            Assert.All(yv, v => Assert.True(float.IsFinite(v), $"{name}: {v}"));
            Assert.All(gv, v => Assert.True(float.IsFinite(v), $"{name}': {v}"));
            Check.Close(yv, data.Select(v => RefElementwise.Apply(name, v)).ToArray(), $"{name} over the range");
            Check.Close(gv, data.Select(v => Derivative(name, v)).ToArray(), $"{name}' over the range");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void UnaryBackwardWithKTargetsAcrossRanges(SimdWidth width)
    {
        var b = Backend(width);
        const int k = 3;
        foreach (int n in new[] { 17, 100003 })
        {
            var rng = new Rng(n + 1);
            var data = rng.Uniform(n, -5, 5);
            var g = rng.Uniform(k * n);
            var x = Up(data);
            var gy = Up(g);
            foreach (var (op, name) in Activations)
                foreach (bool guided in new[] { false, true })
                {
                    if (guided && op is not (UnaryOp.Relu or UnaryOp.Silu)) continue;
                    var gx = Empty(k * n);
                    if (guided) b.UnaryBackwardGuided(op, x, gy, gx);
                    else b.UnaryBackward(op, x, gy, gx, 0.75f);
                    var expected = g.Select((v, i) => (guided ? Math.Max(v, 0) : v) * Derivative(name, data[i % n])).ToArray();
                    Check.Close(gx.ToArray(), expected, $"{(guided ? "guided " : "")}{name} backward, n {n}");
                }
        }
    }

    /// <summary>Every broadcast form: (|a|, |b|, inner).</summary>
    public static TheoryData<SimdWidth, int, int, int> BroadcastForms()
    {
        var data = new TheoryData<SimdWidth, int, int, int>();
        foreach (var w in new[] { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar })
        {
            data.Add(w, 100003, 100003, 1);   // same shape, crossing ranges
            data.Add(w, 3 * 17 * 33, 17 * 33, 1); // b repeats over a leading dimension (position embedding)
            data.Add(w, 5 * 197 * 20, 20, 1);  // a bias over rows, not a vector multiple
            data.Add(w, 2 * 5 * 63, 5, 63);    // per channel over NCHW
            data.Add(w, 4 * 3 * 40009, 3, 40009); // per channel, planes crossing ranges
            data.Add(w, 2 * 7 * 3, 7, 3);      // short runs
            data.Add(w, 1001, 1, 1001);        // one scalar
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BroadcastForms))]
    public void BinaryAndItsGradientsInEveryBroadcastForm(SimdWidth width, int na, int nb, int inner)
    {
        var be = Backend(width);
        const int k = 2;
        var rng = new Rng(na + nb + inner);
        var a = rng.Uniform(na);
        var bv = rng.Uniform(nb);
        var g = rng.Uniform(k * na);
        var at = Up(a);
        var bt = Up(bv);
        var gy = Up(g);
        foreach (var (op, name) in new[] { (BinaryOp.Add, "add"), (BinaryOp.Mul, "mul") })
        {
            var y = Empty(na);
            be.Binary(op, at, bt, y, inner);
            Check.Close(y.ToArray(), RefElementwise.Binary(name, a, bv, inner), $"{name} forward");

            var gb = Empty(k * nb);
            be.BinaryBackwardB(op, at, gy, gb, inner);
            var expected = new double[k * nb];
            for (int t = 0; t < k; t++)
                for (int i = 0; i < na; i++) expected[t * nb + i / inner % nb] += g[t * na + i] * (op == BinaryOp.Mul ? a[i] : 1);
            Check.Close(gb.ToArray(), expected, $"{name} grad b");
        }
        var ga = Empty(k * na);
        be.MulBackwardA(bt, gy, ga, na, inner);
        Check.Close(ga.ToArray(), g.Select((v, i) => v * bv[i % na / inner % nb]).ToArray(), "mul grad a");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FillAccumulateAndSumOverTargets(SimdWidth width)
    {
        var b = Backend(width);
        foreach (int n in Lengths)
        {
            var rng = new Rng(n + 2);
            var t = Empty(n);
            b.Fill(t, 0.5f);
            Assert.All(t.ToArray(), v => Assert.Equal(0.5f, v));
            var src = rng.Uniform(n);
            var dst = rng.Uniform(n);
            var d = Up(dst);
            b.Accumulate(Up(src), d);
            Check.Close(d.ToArray(), dst.Select((v, i) => v + src[i]).ToArray(), $"accumulate {n}");
            const int k = 3;
            var stack = rng.Uniform(k * n);
            var sum = Empty(n);
            b.SumLeading(Up(stack), sum);
            Check.Close(sum.ToArray(), Enumerable.Range(0, n).Select(j => stack[j] + stack[n + j] + stack[2 * n + j]).ToArray(), $"sum leading {n}");
        }
    }

    // ---- Dense --------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Widths))]
    public void SoftmaxAndBackwardAtRaggedRowLengths(SimdWidth width)
    {
        var b = Backend(width);
        const int rows = 7, k = 2;
        foreach (int n in new[] { 1, 15, 16, 17, 33, 197, 1000 })
        {
            var rng = new Rng(n + 3);
            var data = rng.Uniform(rows * n, -8, 8);
            data[0] = 60; // a large logit: no overflow, others underflow towards 0
            var x = Up(data);
            var y = Empty(rows, n);
            b.Softmax(x, y, n);
            var yRef = RefDense.Softmax(data, n);
            Check.Close(y.ToArray(), yRef, $"softmax n {n}");

            var g = rng.Uniform(k * rows * n);
            var gx = Empty(k * rows * n);
            b.SoftmaxBackward(y, Up(g), gx, n);
            var yv = y.ToArray();
            var expected = new double[g.Length];
            for (int r = 0; r < k * rows; r++)
            {
                int f = r % rows;
                double dot = 0;
                for (int j = 0; j < n; j++) dot += g[r * n + j] * yv[f * n + j];
                for (int j = 0; j < n; j++) expected[r * n + j] = yv[f * n + j] * (g[r * n + j] - dot);
            }
            Check.Close(gx.ToArray(), expected, $"softmax backward n {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LayerNormForwardBackwardAndAffineAtRaggedWidths(SimdWidth width)
    {
        var b = Backend(width);
        const int rows = 5, k = 2;
        const double eps = 1e-5;
        foreach (int n in new[] { 15, 17, 64, 100, 773 })
        {
            var rng = new Rng(n + 4);
            // A large common offset: the two-pass variance must not cancel.
            var data = rng.Uniform(rows * n, -2, 2).Select(v => (double)(float)(v + 100)).ToArray();
            var gamma = rng.Uniform(n, 0.5, 1.5);
            var beta = rng.Uniform(n);
            var x = Up(data);
            var gt = Up(gamma);
            var y = Empty(rows, n);
            var stats = Empty(rows, 2);
            b.LayerNorm(x, gt, Up(beta), y, stats, (float)eps);
            Check.Close(y.ToArray(), RefDense.LayerNorm(data, gamma, beta, eps), $"layernorm n {n}");

            var g = rng.Uniform(k * rows * n);
            var gy = Up(g);
            var gx = Empty(k * rows * n);
            b.LayerNormBackward(x, gt, stats, gy, gx);
            var ggamma = Empty(k, n);
            var gbeta = Empty(k, n);
            b.LayerNormBackwardAffine(x, stats, gy, ggamma, gbeta);

            var (gxRef, ggRef, gbRef) = LayerNormBackward(data, gamma, g, n, eps);
            Check.Close(gx.ToArray(), gxRef, $"layernorm backward n {n}");
            Check.Close(ggamma.ToArray(), ggRef, $"layernorm gamma grad n {n}");
            Check.Close(gbeta.ToArray(), gbRef, $"layernorm beta grad n {n}");
        }
    }

    static (double[] Gx, double[] Gg, double[] Gb) LayerNormBackward(double[] x, double[] gamma, double[] g, int n, double eps)
    {
        int rows = x.Length / n, k = g.Length / x.Length;
        var gx = new double[g.Length];
        var gg = new double[k * n];
        var gb = new double[k * n];
        for (int r = 0; r < k * rows; r++)
        {
            int f = r % rows;
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += x[f * n + j] / n;
            for (int j = 0; j < n; j++) var += (x[f * n + j] - mean) * (x[f * n + j] - mean) / n;
            double rstd = 1 / Math.Sqrt(var + eps), sumG = 0, sumGx = 0;
            for (int j = 0; j < n; j++)
            {
                double xhat = (x[f * n + j] - mean) * rstd, gj = g[r * n + j] * gamma[j];
                sumG += gj;
                sumGx += gj * xhat;
                gg[r / rows * n + j] += g[r * n + j] * xhat;
                gb[r / rows * n + j] += g[r * n + j];
            }
            for (int j = 0; j < n; j++)
                gx[r * n + j] = rstd * (g[r * n + j] * gamma[j] - sumG / n - (x[f * n + j] - mean) * rstd * sumGx / n);
        }
        return (gx, gg, gb);
    }

    public static TheoryData<SimdWidth, int, int, int> ReduceShapes()
    {
        var data = new TheoryData<SimdWidth, int, int, int>();
        foreach (var w in new[] { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar })
        {
            data.Add(w, 3, 17, 1);      // rows, ragged
            data.Add(w, 2, 100003, 1);  // rows longer than one reduce block
            data.Add(w, 5, 1, 1);
            data.Add(w, 2, 9, 70);      // inner > 64: two column blocks
            data.Add(w, 3, 5, 17);
            data.Add(w, 1, 4, 3);       // short inner
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ReduceShapes))]
    public void ReduceAndBackwardOverTheMiddleAxis(SimdWidth width, int outer, int reduced, int inner)
    {
        var b = Backend(width);
        const int k = 2;
        var rng = new Rng(outer * reduced * inner);
        // Values on a coarse grid: many ties, so the first-maximum rule is exercised.
        var data = rng.Uniform(outer * reduced * inner, -4, 4).Select(v => Math.Round(v * 2) / 2).ToArray();
        var g = rng.Uniform(k * outer * inner);
        var x = Up(data);
        var gy = Up(g);
        foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Mean, ReduceOp.Max })
        {
            var y = Empty(outer * inner);
            b.Reduce(op, x, y, outer, reduced, inner);
            var yRef = new double[outer * inner];
            var best = new int[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    double s = 0, m = double.NegativeInfinity;
                    for (int r = 0; r < reduced; r++)
                    {
                        double v = data[(o * reduced + r) * inner + i];
                        s += v;
                        if (v > m) { m = v; best[o * inner + i] = r; }
                    }
                    yRef[o * inner + i] = op == ReduceOp.Sum ? s : op == ReduceOp.Mean ? s / reduced : m;
                }
            Check.Close(y.ToArray(), yRef, $"{op} forward");

            var gx = Empty(k * data.Length);
            b.ReduceBackward(op, x, gy, gx, outer, reduced, inner);
            var expected = new double[k * data.Length];
            for (int t = 0; t < k; t++)
                for (int o = 0; o < outer; o++)
                    for (int r = 0; r < reduced; r++)
                        for (int i = 0; i < inner; i++)
                        {
                            double gv = g[(t * outer + o) * inner + i];
                            expected[((t * outer + o) * reduced + r) * inner + i] =
                                op == ReduceOp.Sum ? gv : op == ReduceOp.Mean ? gv / reduced : r == best[o * inner + i] ? gv : 0;
                        }
            Check.Close(gx.ToArray(), expected, $"{op} backward");
        }
    }

    /// <summary>The copies permute/narrow and their backward passes make: ViT's QKV split and head merge, its patch transpose, YOLO's Focus.</summary>
    public static TheoryData<int[], int[]> Permutations() => new()
    {
        { new[] { 2, 9, 3, 4, 16 }, new[] { 2, 0, 3, 1, 4 } },  // [B, T, 3, H, D] → [3, B, H, T, D]
        { new[] { 2, 4, 9, 16 }, new[] { 0, 2, 1, 3 } },        // [B, H, T, D] → [B, T, H, D]
        { new[] { 2, 40, 37 }, new[] { 0, 2, 1 } },             // [B, C, T] → [B, T, C]: tiled transpose with ragged tiles
        { new[] { 1, 3, 4, 2, 5, 2 }, new[] { 0, 5, 3, 1, 2, 4 } }, // Focus: space to depth
        { new[] { 7, 300 }, new[] { 1, 0 } },
    };

    [Theory]
    [MemberData(nameof(Permutations))]
    public void StridedCopyOfPermutationsAndTheirBackward(int[] shape, int[] dims)
    {
        foreach (var width in new[] { SimdWidth.Vector512, SimdWidth.Scalar })
        {
            var b = Backend(width);
            var data = new Rng(shape.Sum()).Uniform(RefDense.Length(shape));
            var x = Up(data, shape);
            int[] strides = RefDense.Strides(shape), outShape = dims.Select(d => shape[d]).ToArray();
            var y = Empty(outShape);
            b.StridedCopy(x, y, outShape, dims.Select(d => strides[d]).ToArray(), 0, RefDense.Strides(outShape), 0);
            var expected = RefDense.Permute(data, shape, dims);
            Check.Close(y.ToArray(), expected, "permute", 0, 0);

            // Backward with K = 2 targets: walk gy contiguously, write where each input element lives.
            var g = new Rng(3).Uniform(2 * data.Length);
            var gx = Empty(2 * data.Length);
            int[] gShape = [2, .. outShape];
            b.StridedCopy(Up(g, gShape), gx, gShape, RefDense.Strides(gShape), 0, [data.Length, .. dims.Select(d => strides[d])], 0);
            var back = new double[g.Length];
            for (int t = 0; t < 2; t++)
            {
                var inv = RefDense.Permute(g[(t * data.Length)..((t + 1) * data.Length)], outShape, Inverse(dims));
                Array.Copy(inv, 0, back, t * data.Length, data.Length);
            }
            Check.Close(gx.ToArray(), back, "permute backward", 0, 0);
        }
    }

    static int[] Inverse(int[] dims)
    {
        var inv = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++) inv[dims[i]] = i;
        return inv;
    }

    [Fact]
    public void StridedCopyOfANarrowAFlatRunAndAnEvenStride()
    {
        var b = Backend(SimdWidth.Auto);
        // Narrow [3, 10, 4] along axis 1 from 2, length 5, written into a larger destination at an offset: untouched
        // destination elements keep their values.
        var data = new Rng(1).Uniform(120);
        var x = Up(data, 3, 10, 4);
        var dstData = new Rng(2).Uniform(200);
        var dst = Up(dstData);
        b.StridedCopy(x, dst, [3, 5, 4], [40, 4, 1], 8, [20, 4, 1], 30);
        var expected = (double[])dstData.Clone();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                for (int l = 0; l < 4; l++) expected[30 + i * 20 + j * 4 + l] = data[8 + i * 40 + j * 4 + l];
        Check.Close(dst.ToArray(), expected, "narrow into an offset", 0, 0);

        // A plain copy of 100003 elements (one run, split across ranges) and every other element of 200006.
        var big = new Rng(3).Uniform(200006);
        var src = Up(big);
        var flat = Empty(100003);
        b.StridedCopy(src, flat, [100003], [1], 3, [1], 0);
        Check.Close(flat.ToArray(), big[3..100006], "flat copy", 0, 0);
        var even = Empty(100003);
        b.StridedCopy(src, even, [100003], [2], 0, [1], 0);
        Check.Close(even.ToArray(), Enumerable.Range(0, 100003).Select(i => big[2 * i]).ToArray(), "strided copy", 0, 0);
        Assert.Throws<ArgumentException>(() => b.StridedCopy(src, even, [100003], [2], 2, [1], 0)); // would read element 200006
    }

    // ---- Spatial ------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPoolArgmaxAndBackwardWithTiesAndRaggedRows(SimdWidth width)
    {
        var b = Backend(width);
        const int k = 2;
        foreach (var (shape, kernel, stride, pad) in new[] { (new[] { 2, 3, 23, 37 }, 5, 1, 2), (new[] { 1, 2, 9, 40 }, 3, 1, 1),
                     (new[] { 1, 2, 11, 13 }, 3, 2, 1), (new[] { 1, 1, 6, 20 }, 1, 1, 0), (new[] { 1, 1, 9, 18 }, 9, 1, 4),
                     (new[] { 1, 3, 20, 15 }, 5, 1, 2), (new[] { 1, 2, 7, 9 }, 3, 1, 1), // rows of 15 and 9: Vector256 under Vector512
                     (new[] { 2, 2, 30, 70 }, 3, 2, 1), (new[] { 1, 2, 20, 64 }, 2, 2, 0), // ResNet's and VGG's stride-2 pools
                     (new[] { 1, 1, 9, 33 }, 2, 2, 0), (new[] { 1, 2, 5, 4 }, 3, 2, 1),     // odd width (last column unread), rows of 2
                     (new[] { 1, 1, 12, 31 }, 4, 2, 2), (new[] { 1, 1, 10, 17 }, 3, 3, 1) }) // even kernel padded; stride 3 (direct scan)
        {
            var rng = new Rng(shape[2] * shape[3] + kernel);
            var data = rng.Uniform(RefDense.Length(shape), -2, 2).Select(v => Math.Round(v * 2) / 2).ToArray(); // ties
            var x = Up(data, shape);
            var (yRef, argRef) = RefSpatial.MaxPool2d(data, shape, kernel, stride, pad);
            int oh = (shape[2] + 2 * pad - kernel) / stride + 1, ow = (shape[3] + 2 * pad - kernel) / stride + 1;
            var y = Empty(shape[0], shape[1], oh, ow);
            var arg = Empty(shape[0], shape[1], oh, ow);
            b.MaxPool2d(x, y, kernel, stride, pad);
            b.MaxPool2dArgmax(x, arg, kernel, stride, pad);
            Check.Close(y.ToArray(), yRef, $"maxpool k{kernel} s{stride}", 0, 0);
            Check.Close(arg.ToArray(), argRef.Select(v => (double)v).ToArray(), $"maxpool argmax k{kernel} s{stride}", 0, 0);

            var g = rng.Uniform(k * yRef.Length);
            var gx = Empty(k * shape[0], shape[1], shape[2], shape[3]);
            b.MaxPool2dBackward(arg, Up(g, k * shape[0], shape[1], oh, ow), gx, kernel, stride, pad);
            Check.Close(gx.ToArray(), RefSpatial.MaxPool2dBackward(data, shape, g, kernel, stride, pad), $"maxpool backward k{kernel} s{stride}");
        }
    }

    /// <summary>ceil_mode: the extra, clipped last windows (GoogLeNet's k3 s2 and k2 s2, a padded k3 s2 p1) with ties.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPoolCeilModeArgmaxAndBackward(SimdWidth width)
    {
        var b = Backend(width);
        foreach (var (shape, kernel, stride, pad, oh, ow) in new[] { (new[] { 1, 2, 14, 40 }, 3, 2, 0, 7, 20), (new[] { 1, 3, 7, 33 }, 2, 2, 0, 4, 17),
                     (new[] { 1, 2, 8, 19 }, 3, 2, 1, 5, 10), (new[] { 1, 1, 5, 21 }, 3, 1, 1, 5, 21),
                     (new[] { 1, 2, 1, 19 }, 2, 2, 0, 1, 10) }) // one row under a 2-row kernel: a clipped window
        {
            var rng = new Rng(shape[2] * shape[3] + kernel);
            var data = rng.Uniform(RefDense.Length(shape), -2, 2).Select(v => Math.Round(v * 2) / 2).ToArray(); // ties
            var x = Up(data, shape);
            var (yRef, argRef) = RefSpatial.MaxPool2d(data, shape, kernel, stride, pad, ceil: true);
            Assert.Equal(shape[0] * shape[1] * oh * ow, yRef.Length);
            var y = Empty(shape[0], shape[1], oh, ow);
            var arg = Empty(shape[0], shape[1], oh, ow);
            b.MaxPool2d(x, y, kernel, stride, pad, ceilMode: true);
            b.MaxPool2dArgmax(x, arg, kernel, stride, pad, ceilMode: true);
            Check.Close(y.ToArray(), yRef, $"maxpool ceil k{kernel} s{stride}", 0, 0);
            Check.Close(arg.ToArray(), argRef.Select(v => (double)v).ToArray(), $"maxpool ceil argmax k{kernel} s{stride}", 0, 0);

            var g = rng.Uniform(2 * yRef.Length);
            var gx = Empty(2 * shape[0], shape[1], shape[2], shape[3]);
            b.MaxPool2dBackward(arg, Up(g, 2 * shape[0], shape[1], oh, ow), gx, kernel, stride, pad, ceilMode: true);
            Check.Close(gx.ToArray(), RefSpatial.MaxPool2dBackward(data, shape, g, kernel, stride, pad, ceil: true), $"maxpool ceil backward k{kernel} s{stride}");
            // The floor-mode size is refused in ceil mode (and vice versa) when they differ.
            if (oh != (shape[2] + 2 * pad - kernel) / stride + 1)
                Assert.Throws<ArgumentException>(() => b.MaxPool2d(x, Empty(shape[0], shape[1], oh, ow), kernel, stride, pad));
        }
    }

    /// <summary>NaN propagates as in PyTorch: the window's maximum is NaN and its argmax the last NaN in row-major order.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPoolPropagatesNaN(SimdWidth width)
    {
        var b = Backend(width);
        var data = Enumerable.Range(0, 6 * 40).Select(i => (double)(i % 7)).ToArray();
        data[2 * 40 + 20] = double.NaN;
        data[3 * 40 + 19] = double.NaN;
        var x = Up(data, 1, 1, 6, 40);
        var y = Empty(1, 1, 6, 40);
        var arg = Empty(1, 1, 6, 40);
        b.MaxPool2d(x, y, 3, 1, 1);
        b.MaxPool2dArgmax(x, arg, 3, 1, 1);
        float[] yv = y.ToArray(), av = arg.ToArray();
        Assert.True(float.IsNaN(yv[2 * 40 + 20]) && float.IsNaN(yv[3 * 40 + 21]) && float.IsNaN(yv[40 + 19]));
        Assert.Equal(3 * 40 + 19, av[2 * 40 + 20]); // both NaNs in the window: the later one
        Assert.Equal(2 * 40 + 20, av[1 * 40 + 21]); // only the first
        Assert.False(float.IsNaN(yv[5 * 40 + 30]));
    }

    /// <summary>The same NaN rule through the stride-2 path (split rows): every window holding a NaN is NaN, its argmax the last NaN.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPoolStride2PropagatesNaN(SimdWidth width)
    {
        var b = Backend(width);
        var data = Enumerable.Range(0, 8 * 40).Select(i => (double)(i % 7)).ToArray();
        data[2 * 40 + 20] = double.NaN;
        data[3 * 40 + 21] = double.NaN;
        var x = Up(data, 1, 1, 8, 40);
        var y = Empty(1, 1, 4, 20);
        var arg = Empty(1, 1, 4, 20);
        b.MaxPool2d(x, y, 3, 2, 1);
        b.MaxPool2dArgmax(x, arg, 3, 2, 1);
        float[] yv = y.ToArray(), av = arg.ToArray();
        foreach (int o in new[] { 20 + 10, 20 + 11, 40 + 10, 40 + 11 }) Assert.True(float.IsNaN(yv[o]), $"output {o}");
        Assert.Equal(3 * 40 + 21, av[20 + 10]); // both NaNs in the window: the later one
        Assert.Equal(3 * 40 + 21, av[40 + 11]);
        Assert.False(float.IsNaN(yv[10]) || float.IsNaN(yv[20 + 9]) || float.IsNaN(yv[60 + 10]));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void UpsampleAndBackwardWithRaggedRows(SimdWidth width)
    {
        var b = Backend(width);
        const int k = 2;
        foreach (var (shape, scale) in new[] { (new[] { 2, 3, 5, 37 }, 2), (new[] { 1, 2, 4, 16 }, 2), (new[] { 1, 2, 3, 7 }, 3), (new[] { 1, 1, 2, 1 }, 2) })
        {
            var rng = new Rng(shape[3] * scale);
            var data = rng.Uniform(RefDense.Length(shape));
            var y = Empty(shape[0], shape[1], shape[2] * scale, shape[3] * scale);
            b.Upsample(Up(data, shape), y, scale);
            Check.Close(y.ToArray(), RefSpatial.Upsample(data, shape, scale), $"upsample x{scale}", 0, 0);

            var g = rng.Uniform(k * data.Length * scale * scale);
            var gx = Empty(k * shape[0], shape[1], shape[2], shape[3]);
            b.UpsampleBackward(Up(g, k * shape[0], shape[1], shape[2] * scale, shape[3] * scale), gx, scale);
            var expected = new double[k * data.Length];
            int w = shape[3], h = shape[2], ow = w * scale;
            for (int p = 0; p < expected.Length / (h * w); p++)
                for (int iy = 0; iy < h; iy++)
                    for (int ix = 0; ix < w; ix++)
                        for (int dy = 0; dy < scale; dy++)
                            for (int dx = 0; dx < scale; dx++)
                                expected[(p * h + iy) * w + ix] += g[(p * h * scale + iy * scale + dy) * ow + ix * scale + dx];
            Check.Close(gx.ToArray(), expected, $"upsample backward x{scale}");
        }
    }

    [Fact]
    public void CopyChannelsMovesSlabsOfEveryImage()
    {
        var b = Backend(SimdWidth.Auto);
        foreach (var (batch, srcC, srcOff, dstC, dstOff, channels, inner) in new[] { (3, 5, 1, 7, 4, 3, 17), (2, 4, 0, 6, 2, 4, 40000) })
        {
            var src = new Rng(inner).Uniform(batch * srcC * inner);
            var dstData = new Rng(inner + 1).Uniform(batch * dstC * inner);
            var dst = Up(dstData);
            b.CopyChannels(Up(src), srcC, srcOff, dst, dstC, dstOff, channels, inner);
            var expected = (double[])dstData.Clone();
            for (int n = 0; n < batch; n++)
                Array.Copy(src, (n * srcC + srcOff) * inner, expected, (n * dstC + dstOff) * inner, channels * inner);
            Check.Close(dst.ToArray(), expected, $"copy channels inner {inner}", 0, 0);
        }
    }
}
