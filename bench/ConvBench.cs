using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// A typical YOLOv5 conv, 3x3, 64 → 64 channels, stride 1, padding 1, on 1x64x80x80, on both CPU backends side by
/// side: <c>cpu</c> (the SIMD backend: im2col + packed GEMM) and <c>ilgpu-cpu</c> (the ILGPU kernels on ILGPU's CPU
/// accelerator; <c>NATIVECAM_BENCH_DEVICES</c> picks others). 2·64·64·9·80·80 = 472 MFLOP per pass. <c>BackwardInputSparse</c> is a per-detection CAM's
/// input gradient: K = 5 gradient images, each zero except a 5x5 window of pixels (one anchor cell spread by two
/// 3x3 convs), which the SIMD backend detects and computes alone; its GFLOP/s counts the dense work it replaces.
/// </summary>
[Config(typeof(ConvGflops))]
public class ConvBench
{
    const int C = 64, H = 80, W = 80, Targets = 5;
    public const double Flop = 2.0 * C * C * 9 * H * W;

    [ParamsSource(typeof(BenchDevice), nameof(BenchDevice.Names))]
    public string Backend { get; set; } = "cpu";

    Device _device = null!;
    Tensor _x = null!, _w = null!, _b = null!, _y = null!, _gy = null!, _gx = null!, _gw = null!, _sparseGy = null!, _sparseGx = null!;
    readonly ConvGeometry _g = new(1, 1, 1, 1);

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open(Backend);
        var rng = new Random(1);
        _x = ConvBenchData.Random(_device, rng, 1, C, H, W);
        _w = ConvBenchData.Random(_device, rng, C, C, 3, 3);
        _b = ConvBenchData.Random(_device, rng, C);
        _gy = ConvBenchData.Random(_device, rng, 1, C, H, W);
        _y = Tensor.Empty(_device, 1, C, H, W);
        _gx = Tensor.Empty(_device, 1, C, H, W);
        _gw = Tensor.Empty(_device, 1, C, C, 3, 3);
        var sparse = new float[Targets * C * H * W];
        for (int k = 0; k < Targets; k++)
            for (int c = 0; c < C; c++)
                for (int dy = 0; dy < 5; dy++)
                    for (int dx = 0; dx < 5; dx++)
                        sparse[((k * C + c) * H + 10 + 13 * k + dy) * W + 7 + 11 * k + dx] = (float)(rng.NextDouble() - 0.5);
        _sparseGy = Tensor.FromArray(_device, sparse, Targets, C, H, W);
        _sparseGx = Tensor.Empty(_device, Targets, C, H, W);
    }

    [Benchmark]
    public void Forward()
    {
        _device.Backend.Conv2d(_x, _w, _b, _y, _g);
        _device.Synchronize();
    }

    [Benchmark]
    public void BackwardInput()
    {
        _device.Backend.Conv2dBackwardInput(_gy, _w, _gx, _g);
        _device.Synchronize();
    }

    [Benchmark]
    public void BackwardWeight()
    {
        _device.Backend.Conv2dBackwardWeight(_x, _gy, _gw, _g);
        _device.Synchronize();
    }

    [Benchmark]
    public void BackwardInputSparse()
    {
        _device.Backend.Conv2dBackwardInput(_sparseGy, _w, _sparseGx, _g);
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _x, _w, _b, _y, _gy, _gx, _gw, _sparseGy, _sparseGx }) t.Dispose();
        _device.Dispose();
    }

    /// <summary>The dense work of one pass (the sparse case: of its K images).</summary>
    internal static double FlopOf(BenchmarkCase c) => c.Descriptor.WorkloadMethod.Name == nameof(BackwardInputSparse) ? Targets * Flop : Flop;
}

/// <summary>
/// Every conv of YOLOv5s (v6, width 0.50, depth 0.33) at a 640x640 input, batch 1, on both CPU backends:
/// forward, input gradient and weight gradient of each distinct shape, and <c>all</c>: the 60 convs of one pass
/// in network order (16.4 GFLOP, YOLOv5s's published 16.5 GFLOPs less the non-conv ops). Few iterations: the
/// ILGPU side takes seconds per pass.
/// </summary>
[Config(typeof(ConvGflops))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class YoloConvBench
{
    [ParamsSource(nameof(LayerNames))]
    public string Layer { get; set; } = "all";

    [ParamsSource(typeof(BenchDevice), nameof(BenchDevice.Names))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> LayerNames => ["all", .. YoloV5sConvs.Shapes.Select(s => s.Name)];

    Device _device = null!;
    readonly List<ConvBenchData> _convs = [];

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open(Backend);
        var rng = new Random(1);
        foreach (var s in YoloV5sConvs.Shapes.Where(s => Layer == "all" || s.Name == Layer))
            for (int i = 0; i < (Layer == "all" ? s.Count : 1); i++) _convs.Add(new ConvBenchData(_device, rng, s));
    }

    [Benchmark]
    public void Forward()
    {
        foreach (var c in _convs) _device.Backend.Conv2d(c.X, c.W, c.B, c.Y, c.Geometry);
        _device.Synchronize();
    }

    [Benchmark]
    public void BackwardInput()
    {
        foreach (var c in _convs) _device.Backend.Conv2dBackwardInput(c.Gy, c.W, c.Gx, c.Geometry);
        _device.Synchronize();
    }

    [Benchmark]
    public void BackwardWeight()
    {
        foreach (var c in _convs) _device.Backend.Conv2dBackwardWeight(c.X, c.Gy, c.Gw, c.Geometry);
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in _convs) c.Dispose();
        _device.Dispose();
    }

    internal static double FlopOf(BenchmarkCase c)
    {
        var layer = (string)c.Parameters["Layer"];
        return YoloV5sConvs.Shapes.Where(s => layer == "all" || s.Name == layer).Sum(s => s.Flop * (layer == "all" ? s.Count : 1));
    }
}

/// <summary>A conv shape: input [1, Cin, Size, Size], weight [Cout, Cin, K, K], stride, padding, and how often YOLOv5s has it.</summary>
public sealed record ConvLayer(string Name, int Cin, int Cout, int K, int Stride, int Pad, int Size, int Count)
{
    public int OutSize => (Size + 2 * Pad - K) / Stride + 1;

    public double Flop => 2.0 * Cout * Cin * K * K * OutSize * OutSize;
}

/// <summary>The conv shapes of YOLOv5s at 640 (model.N: the yaml row), with their counts (60 convs in all).</summary>
public static class YoloV5sConvs
{
    public static readonly ConvLayer[] Shapes =
    [
        new("6x6s2 3>32 @640", 3, 32, 6, 2, 2, 640, 1),      // model.0 stem
        new("3x3s2 32>64 @320", 32, 64, 3, 2, 1, 320, 1),    // model.1
        new("1x1 64>32 @160", 64, 32, 1, 1, 0, 160, 2),      // model.2 C3 cv1, cv2
        new("1x1 32>32 @160", 32, 32, 1, 1, 0, 160, 1),      // model.2 bottleneck cv1
        new("3x3 32>32 @160", 32, 32, 3, 1, 1, 160, 1),      // model.2 bottleneck cv2
        new("1x1 64>64 @160", 64, 64, 1, 1, 0, 160, 1),      // model.2 cv3
        new("3x3s2 64>128 @160", 64, 128, 3, 2, 1, 160, 1),  // model.3
        new("1x1 128>64 @80", 128, 64, 1, 1, 0, 80, 2),      // model.4 cv1, cv2
        new("1x1 256>64 @80", 256, 64, 1, 1, 0, 80, 2),      // model.17 cv1, cv2
        new("1x1 64>64 @80", 64, 64, 1, 1, 0, 80, 3),        // model.4 (x2), model.17 bottleneck cv1
        new("3x3 64>64 @80", 64, 64, 3, 1, 1, 80, 3),        // model.4 (x2), model.17 bottleneck cv2
        new("1x1 128>128 @80", 128, 128, 1, 1, 0, 80, 2),    // model.4, model.17 cv3
        new("3x3s2 128>256 @80", 128, 256, 3, 2, 1, 80, 1),  // model.5
        new("3x3s2 128>128 @80", 128, 128, 3, 2, 1, 80, 1),  // model.18
        new("1x1 128>255 @80", 128, 255, 1, 1, 0, 80, 1),    // model.24 detect P3
        new("1x1 256>128 @40", 256, 128, 1, 1, 0, 40, 5),    // model.6 cv1, cv2, model.14, model.20 cv1, cv2
        new("1x1 512>128 @40", 512, 128, 1, 1, 0, 40, 2),    // model.13 cv1, cv2
        new("1x1 128>128 @40", 128, 128, 1, 1, 0, 40, 5),    // model.6 (x3), 13, 20 bottleneck cv1
        new("3x3 128>128 @40", 128, 128, 3, 1, 1, 40, 5),    // model.6 (x3), 13, 20 bottleneck cv2
        new("1x1 256>256 @40", 256, 256, 1, 1, 0, 40, 3),    // model.6, 13, 20 cv3
        new("3x3s2 256>512 @40", 256, 512, 3, 2, 1, 40, 1),  // model.7
        new("3x3s2 256>256 @40", 256, 256, 3, 2, 1, 40, 1),  // model.21
        new("1x1 256>255 @40", 256, 255, 1, 1, 0, 40, 1),    // model.24 detect P4
        new("1x1 512>256 @20", 512, 256, 1, 1, 0, 20, 6),    // model.8 cv1, cv2, SPPF cv1, model.10, model.23 cv1, cv2
        new("1x1 256>256 @20", 256, 256, 1, 1, 0, 20, 2),    // model.8, 23 bottleneck cv1
        new("3x3 256>256 @20", 256, 256, 3, 1, 1, 20, 2),    // model.8, 23 bottleneck cv2
        new("1x1 512>512 @20", 512, 512, 1, 1, 0, 20, 2),    // model.8, 23 cv3
        new("1x1 1024>512 @20", 1024, 512, 1, 1, 0, 20, 1),  // model.9 SPPF cv2
        new("1x1 512>255 @20", 512, 255, 1, 1, 0, 20, 1),    // model.24 detect P5
    ];
}

/// <summary>One conv's tensors (random values): input, weight, bias, output, output gradient, and the two gradients.</summary>
sealed class ConvBenchData : IDisposable
{
    public readonly Tensor X, W, B, Y, Gy, Gx, Gw;
    public readonly ConvGeometry Geometry;

    public ConvBenchData(Device device, Random rng, ConvLayer s)
    {
        Geometry = new ConvGeometry(s.Stride, s.Stride, s.Pad, s.Pad);
        X = Random(device, rng, 1, s.Cin, s.Size, s.Size);
        W = Random(device, rng, s.Cout, s.Cin, s.K, s.K);
        B = Random(device, rng, s.Cout);
        Gy = Random(device, rng, 1, s.Cout, s.OutSize, s.OutSize);
        Y = Tensor.Empty(device, 1, s.Cout, s.OutSize, s.OutSize);
        Gx = Tensor.Empty(device, 1, s.Cin, s.Size, s.Size);
        Gw = Tensor.Empty(device, 1, s.Cout, s.Cin, s.K, s.K);
    }

    public static Tensor Random(Device device, Random rng, params int[] shape)
    {
        var data = new float[Tensor.ShapeLength(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(device, data, shape);
    }

    public void Dispose()
    {
        foreach (var t in new[] { X, W, B, Y, Gy, Gx, Gw }) t.Dispose();
    }
}

/// <summary>Adds a GFLOP/s column (the case's conv work divided by its median time).</summary>
sealed class ConvGflops : ManualConfig
{
    public ConvGflops() => AddColumn(StatisticColumn.Median, new RateColumn(nameof(ConvGflops), "GFLOP/s",
        "2·Cout·Cin/G·kh·kw·OH·OW per conv / median time, in 10^9 per second",
        (c, t) => (c.Descriptor.Type == typeof(ConvBench) ? ConvBench.FlopOf(c) : YoloConvBench.FlopOf(c)) / t.Median));
}
