using BenchmarkDotNet.Attributes;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// A typical YOLOv5 conv on the CPU accelerator: 3x3, 64 → 64 channels, stride 1, padding 1, on 1x64x80x80.
/// 2·64·64·9·80·80 = 472 MFLOP per pass; GFLOP/s = 0.472 / seconds. Each benchmark waits for the device.
/// </summary>
[MemoryDiagnoser]
public class ConvBench
{
    const int C = 64, H = 80, W = 80;
    public const double Flop = 2.0 * C * C * 9 * H * W;

    Device _device = null!;
    Tensor _x = null!, _w = null!, _b = null!, _y = null!, _gy = null!, _gx = null!, _gw = null!;
    readonly ConvGeometry _g = new(1, 1, 1, 1);

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.OpenCpu();
        var rng = new Random(1);
        Tensor Random(params int[] shape)
        {
            var data = new float[Tensor.ShapeLength(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            return Tensor.FromArray(_device, data, shape);
        }
        _x = Random(1, C, H, W);
        _w = Random(C, C, 3, 3);
        _b = Random(C);
        _gy = Random(1, C, H, W);
        _y = Tensor.Empty(_device, 1, C, H, W);
        _gx = Tensor.Empty(_device, 1, C, H, W);
        _gw = Tensor.Empty(_device, 1, C, C, 3, 3);
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

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _x, _w, _b, _y, _gy, _gx, _gw }) t.Dispose();
        _device.Dispose();
    }
}
