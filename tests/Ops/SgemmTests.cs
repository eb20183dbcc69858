using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// The packed SIMD GEMM (src/Tensors/Cpu/Sgemm*.cs) on raw pointers, each micro-kernel path forced in turn,
/// against a float64 loop. Tolerance: |c − ref| ≤ 1e-4 · (Σ_p |a_ip|·|b_pj| + |bias_i| + |c_old|) + 1e-6,
/// i.e. relative to the magnitude of the terms summed (float32 accumulation of k products).
/// </summary>
public sealed unsafe class SgemmTests : IDisposable
{
    public SgemmTests() => Sgemm.Override = Sgemm.Path.Auto;

    public void Dispose() => Sgemm.Override = Sgemm.Path.Auto;

    /// <summary>The micro-kernel paths by name (xunit needs public parameter types; Sgemm.Path is internal).</summary>
    public static readonly string[] Paths = ["Vector512", "Vector256", "Vector128", "Scalar"];

    static Sgemm.Path Parse(string path) => Enum.Parse<Sgemm.Path>(path);

    /// <summary>
    /// m, n, k: ones, sizes around every tile width (4, 6, 8, 16, 32), K crossing KC, rows crossing MC, columns
    /// crossing NC, and a small C over a long K (split over the cores along K).
    /// </summary>
    public static readonly int[][] Sizes =
    [
        [1, 1, 1], [1, 7, 1], [7, 1, 9], [8, 32, 8], [9, 33, 31], [31, 65, 33], [33, 31, 65], [65, 9, 7], [6, 16, 17],
        [17, 40, 600], [300, 20, 10], [9, 2100, 5], [20, 40, 1500],
    ];

    public static IEnumerable<object[]> PathsAndSizes() =>
        from p in Paths from s in Sizes select new object[] { p, s[0], s[1], s[2] };

    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void RowMajorMatchesFloat64(string path, int m, int n, int k) =>
        Run(path, m, n, k, new Layouts(false, false, false, 0), accumulate: false, bias: false, parallel: true);

    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void TransposedOperandsMatchFloat64(string path, int m, int n, int k)
    {
        Run(path, m, n, k, new Layouts(true, false, false, 3), accumulate: false, bias: false, parallel: true);
        Run(path, m, n, k, new Layouts(false, true, false, 1), accumulate: false, bias: true, parallel: false);
        Run(path, m, n, k, new Layouts(true, true, true, 2), accumulate: true, bias: false, parallel: true);
    }

    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void AccumulateAndBiasMatchFloat64(string path, int m, int n, int k)
    {
        Run(path, m, n, k, new Layouts(false, false, false, 5), accumulate: true, bias: true, parallel: true);
        Run(path, m, n, k, new Layouts(false, false, true, 0), accumulate: false, bias: true, parallel: false);
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    [InlineData("Scalar")]
    public void ProductsCrossingEveryBlockMatchFloat64(string path)
    {
        // Small blocks (K 40, rows 48, columns 96) so that modest sizes cross each of them several times,
        // with row blocks that end inside a sliver and a last K block shorter than the others.
        var (kc, mc, nc) = (Sgemm.KC, Sgemm.MC, Sgemm.NC);
        try
        {
            (Sgemm.KC, Sgemm.MC, Sgemm.NC) = (40, 48, 96);
            Run(path, 101, 250, 130, new Layouts(false, true, false, 0), accumulate: false, bias: true, parallel: true);
            Run(path, 101, 250, 130, new Layouts(true, false, false, 1), accumulate: true, bias: false, parallel: false);
            Run(path, 70, 33, 300, new Layouts(false, false, true, 0), accumulate: true, bias: true, parallel: true);
        }
        finally
        {
            (Sgemm.KC, Sgemm.MC, Sgemm.NC) = (kc, mc, nc);
        }
    }

    /// <summary>A packed once (Sgemm.PackedA, as the convolutions share their weights between pixel tiles) gives
    /// the same products, read through any layout of A, on one thread and split over the cores.</summary>
    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void PrePackedAMatchesFloat64(string path, int m, int n, int k)
    {
        Run(path, m, n, k, new Layouts(false, false, false, 0), accumulate: false, bias: true, parallel: true, prepack: true);
        Run(path, m, n, k, new Layouts(true, false, false, 2), accumulate: true, bias: false, parallel: false, prepack: true);
        var (kc, mc) = (Sgemm.KC, Sgemm.MC);
        try
        {
            (Sgemm.KC, Sgemm.MC) = (40, 48); // several K blocks with a short last one, row blocks inside the packed A
            Run(path, m, n, k, new Layouts(false, true, true, 1), accumulate: false, bias: true, parallel: true, prepack: true);
        }
        finally
        {
            (Sgemm.KC, Sgemm.MC) = (kc, mc);
        }
    }

    [Fact]
    public void PrePackedAOfAnotherShapeIsRefused()
    {
        var a = new float[6 * 5];
        var c = new float[6 * 4];
        fixed (float* pa = a, pc = c)
        {
            using var packed = new Sgemm.PackedA(6, 5, pa, 5, 1);
            string? message = null;
            try
            {
                Sgemm.Multiply(6, 4, 4, pa, 5, 1, pa, 4, 1, pc, 4, 1, packedA: packed);
            }
            catch (ArgumentException e)
            {
                message = e.Message;
            }
            Assert.NotNull(message);
            Assert.Contains("6x5", message);
        }
    }

    [Fact]
    public void ZeroInnerDimensionWritesBiasOnly()
    {
        var c = new float[6];
        var bias = new float[] { 1, 2 };
        fixed (float* pc = c, pbias = bias)
        {
            Sgemm.Multiply(2, 3, 0, null, 0, 0, null, 0, 0, pc, 3, 1, rowBias: pbias);
            Assert.Equal([1, 1, 1, 2, 2, 2], c);
            Sgemm.Multiply(2, 3, 0, null, 0, 0, null, 0, 0, pc, 3, 1, accumulate: true, rowBias: pbias);
            Assert.Equal([2, 2, 2, 4, 4, 4], c);
        }
    }

    [Fact]
    public void BackendGemmBatchesMatchFloat64()
    {
        // Attention-like: small products over many batches (one task per matrix), B shared by every batch
        // (Batches = 1), A read transposed; then two products big enough to split themselves.
        foreach (var (batch, m, k, n) in new[] { (12, 19, 8, 21), (2, 130, 70, 300) })
        {
            var rng = new Rng(batch * 7 + m);
            var a = rng.Uniform(batch * k * m);
            var b = rng.Uniform(k * n);
            var device = TestDevice.Default;
            using var ta = Tensor.FromArray(device, a.Select(v => (float)v).ToArray(), batch, k, m);
            using var tb = Tensor.FromArray(device, b.Select(v => (float)v).ToArray(), k, n);
            using var tc = Tensor.Empty(device, batch, m, n);
            device.Backend.Gemm(ta, MatrixLayout.RowMajor(batch, k, m).Transposed, tb, MatrixLayout.RowMajor(1, k, n),
                tc, MatrixLayout.RowMajor(batch, m, n), batch, m, k, n);
            var expected = new double[batch * m * n];
            for (int s = 0; s < batch; s++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double sum = 0;
                        for (int p = 0; p < k; p++) sum += a[s * k * m + p * m + i] * b[p * n + j];
                        expected[(s * m + i) * n + j] = sum;
                    }
            Check.Close(tc.ToArray(), expected, $"gemm {batch}x{m}x{k}x{n}");
        }
    }

    [Fact]
    public void BackendGemmRejectsOperandsPastTheirTensors()
    {
        var device = TestDevice.Default;
        using var a = Tensor.Empty(device, 4, 5);
        using var b = Tensor.Empty(device, 5, 6);
        using var c = Tensor.Empty(device, 4, 6);
        var la = MatrixLayout.RowMajor(1, 4, 5);
        var lb = MatrixLayout.RowMajor(1, 5, 6);
        var lc = MatrixLayout.RowMajor(1, 4, 6);
        Assert.Throws<ArgumentException>(() => device.Backend.Gemm(a, la, b, lb, c, lc, 1, 4, 6, 6));      // A too short for k = 6
        Assert.Throws<ArgumentException>(() => device.Backend.Gemm(a, la, b, lb, c, lc, 2, 4, 5, 6));      // C has one batch
        Assert.Throws<ArgumentException>(() => device.Backend.Gemm(a, la, b, lb.Transposed, c, lc, 1, 4, 5, 6)); // Bᵀ reaches past
        Assert.Throws<ArgumentException>(() => device.Backend.Gemm(a, la, b, lb, c, lc, 1, 4, 0, 6));      // empty inner dimension
    }

    /// <summary>Which operands are stored transposed, and extra elements of padding per stored row.</summary>
    public readonly record struct Layouts(bool TransposeA, bool TransposeB, bool TransposeC, int Pad);

    /// <summary>A strided matrix view over a flat array: element (r, c) at r·Row + c·Col.</summary>
    readonly record struct View(int Rows, int Cols, long Row, long Col, int Length)
    {
        public static View Of(int rows, int cols, bool transposed, int pad) => transposed
            ? new(rows, cols, 1, rows + pad, cols * (rows + pad))
            : new(rows, cols, cols + pad, 1, rows * (cols + pad));

        public long At(int r, int c) => r * Row + c * Col;
    }

    static void Run(string pathName, int m, int n, int k, Layouts l, bool accumulate, bool bias, bool parallel, bool prepack = false)
    {
        var path = Parse(pathName);
        var rng = new Rng(m * 1000003 + n * 1009 + k + (int)path);
        var va = View.Of(m, k, l.TransposeA, l.Pad);
        var vb = View.Of(k, n, l.TransposeB, l.Pad);
        var vc = View.Of(m, n, l.TransposeC, l.Pad);
        var a = rng.Uniform(va.Length).Select(v => (float)v).ToArray();
        var b = rng.Uniform(vb.Length).Select(v => (float)v).ToArray();
        var rowBias = rng.Uniform(m).Select(v => (float)v).ToArray();
        // C starts as random values (accumulate) or NaN (must be overwritten); padding must stay untouched.
        const float Untouched = 12345f;
        var c = new float[vc.Length];
        Array.Fill(c, Untouched);
        var old = rng.Uniform(m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[vc.At(i, j)] = accumulate ? (float)old[i * n + j] : float.NaN;

        // parallel: every size takes the split paths (columns, rows or K, whichever the shape calls for).
        Sgemm.Override = path;
        long threshold = Sgemm.ParallelThreshold;
        Sgemm.ParallelThreshold = 0;
        try
        {
            fixed (float* pa = a, pb = b, pc = c, pbias = rowBias)
            {
                using var packed = prepack ? new Sgemm.PackedA(m, k, pa, va.Row, va.Col) : null;
                Sgemm.Multiply(m, n, k, pa, va.Row, va.Col, pb, vb.Row, vb.Col, pc, vc.Row, vc.Col,
                    accumulate, parallel, bias ? pbias : null, packed);
            }
        }
        finally
        {
            (Sgemm.Override, Sgemm.ParallelThreshold) = (Sgemm.Path.Auto, threshold);
        }

        string what = $"{path} {m}x{n}x{k} {l} accumulate={accumulate} bias={bias} parallel={parallel} prepack={prepack}";
        var expected = new bool[vc.Length];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (double)a[va.At(i, p)] * b[vb.At(p, j)];
                    sum += t;
                    magnitude += Math.Abs(t);
                }
                if (bias) { sum += rowBias[i]; magnitude += Math.Abs(rowBias[i]); }
                if (accumulate) { sum += (float)old[i * n + j]; magnitude += Math.Abs(old[i * n + j]); }
                long at = vc.At(i, j);
                expected[at] = true;
                double error = Math.Abs(c[at] - sum);
                if (!(error <= 1e-4 * magnitude + 1e-6))
                    Assert.Fail($"{what}: C[{i}, {j}] = {c[at]}, expected {sum} (error {error:G3}, scale {magnitude:G3})");
            }
        for (int at = 0; at < c.Length; at++)
            if (!expected[at] && c[at] != Untouched) Assert.Fail($"{what}: wrote padding element {at}");
    }
}
