using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// The GEMM kernel on ILGPU's CPU accelerator at model shapes (M×K×N): ViT-B/16's fused QKV projection
/// (197×768×2304) and attention output projection (197×768×768), and a YOLO-like 1x1 conv as a GEMM
/// (6400×64×64). <c>Layout</c> says how the operands are stored: NN is A [M, K] @ B [K, N]; NT reads B
/// as a transposed [N, K] weight (nn.Linear's layout, no copy); TN reads A stored [K, M] transposed, as the
/// weight-gradient product Xᵀ @ dY of a backward pass does. A GFLOP/s column is computed from the mean time.
/// Each call waits for the device.
/// </summary>
[Config(typeof(GflopsConfig))]
public class MatMulBench
{
    [Params("197x768x2304", "197x768x768", "6400x64x64")]
    public string Shape { get; set; } = "";

    [Params("NN", "NT", "TN")]
    public string Layout { get; set; } = "";

    Device _device = null!;
    Tensor _a = null!, _b = null!, _c = null!;
    int _m, _k, _n;

    [GlobalSetup]
    public void Setup()
    {
        (_m, _k, _n) = Parse(Shape);
        _device = Device.OpenCpu();
        var rng = new Random(1);
        Tensor Random(params int[] shape)
        {
            var data = new float[Tensor.ShapeLength(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            return Tensor.FromArray(_device, data, shape);
        }
        _a = Layout == "TN" ? Random(_k, _m) : Random(_m, _k);
        _b = Layout == "NT" ? Random(_n, _k) : Random(_k, _n);
        _c = Tensor.Empty(_device, _m, _n);
    }

    [Benchmark]
    public void Gemm()
    {
        var la = Layout == "TN" ? MatrixLayout.RowMajor(1, _k, _m).Transposed : MatrixLayout.RowMajor(1, _m, _k);
        var lb = Layout == "NT" ? MatrixLayout.RowMajor(1, _n, _k).Transposed : MatrixLayout.RowMajor(1, _k, _n);
        _device.Backend.Gemm(_a, la, _b, lb, _c, MatrixLayout.RowMajor(1, _m, _n), 1, _m, _k, _n);
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _a, _b, _c }) t.Dispose();
        _device.Dispose();
    }

    public static (int M, int K, int N) Parse(string shape)
    {
        var p = shape.Split('x').Select(int.Parse).ToArray();
        return (p[0], p[1], p[2]);
    }

    sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig() => AddColumn(new RateColumn(nameof(GflopsConfig), "GFLOP/s", "2·M·K·N / mean time, in 10^9 per second", (c, t) =>
        {
            var (m, k, n) = Parse((string)c.Parameters["Shape"]);
            return 2.0 * m * k * n / t.Mean; // flop per ns = GFLOP/s
        }, "F2"));
    }
}
