using System.Diagnostics;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// <c>kernel-table [repeats] [--widths a,b]</c>: Stopwatch medians (ms) of single backend calls at each SIMD width
/// (<c>new CpuBackend(device, width)</c>), random data, on the shapes where NativeCam lost most to ONNX Runtime:
/// MobileNet v2's depth-wise convs (forward, input and weight gradient) and the max pools of ResNet (3×3 s2 p1),
/// YOLO's SPPF (5×5 s1 p2) and VGG (2×2 s2), and ResNet's residual add + ReLU as two passes and as one. One warm-up call per row; the paths this CPU does not pick by itself
/// are timed too (x64 runs Vector128, ARM64's width, for real).
/// </summary>
public static class KernelTable
{
    public static void Run(string[] args)
    {
        int repeats = 15;
        var widths = new[] { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--widths" && i + 1 < args.Length) widths = BenchDevice.Parse(args[++i]).Select(Enum.Parse<SimdWidth>).ToArray();
            else repeats = int.Parse(args[i]);
        }
        using var device = BenchDevice.Open("cpu");
        Console.WriteLine($"kernel-table: {CpuBackend.Describe()}; median of {repeats} calls, ms; load average " +
            string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
        Console.WriteLine($"{"op",-44} " + string.Join(" ", widths.Select(w => $"{w,10}")));
        //                     c    h    w  k  s
        foreach (var (c, h, w, k, s) in new[] { (96, 112, 112, 3, 2), (144, 56, 56, 3, 1), (192, 28, 28, 3, 1), (576, 14, 14, 3, 1),
                     (576, 14, 14, 3, 2), (960, 7, 7, 3, 1), (240, 14, 14, 5, 1), (384, 14, 14, 7, 1) })
        {
            var g = new ConvGeometry(s, s, k / 2, k / 2, c);
            int oh = (h + 2 * (k / 2) - k) / s + 1, ow = (w + 2 * (k / 2) - k) / s + 1;
            using var x = Random(device, 1, c, h, w);
            using var wt = Random(device, c, 1, k, k);
            using var b = Random(device, c);
            using var y = Tensor.Empty(device, 1, c, oh, ow);
            using var gy = Random(device, 1, c, oh, ow);
            using var gx = Tensor.Empty(device, 1, c, h, w);
            using var gw = Tensor.Empty(device, 1, c, 1, k, k);
            string shape = $"dw {c} {k}x{k}/{s} {h}x{w}";
            Row(device, $"{shape} forward", widths, repeats, be => be.Conv2d(x, wt, b, y, g));
            Row(device, $"{shape} input grad", widths, repeats, be => be.Conv2dBackwardInput(gy, wt, gx, g));
            Row(device, $"{shape} weight grad", widths, repeats, be => be.Conv2dBackwardWeight(x, gy, gw, g));
        }
        foreach (var (c, h) in new[] { (256, 56), (512, 28), (1024, 14), (2048, 7) })
        {
            // ResNet-50's block tails: relu(out + identity) as two passes and as one
            using var a = Random(device, 1, c, h, h);
            using var b = Random(device, 1, c, h, h);
            using var y = Tensor.Empty(device, 1, c, h, h);
            Row(device, $"resnet tail {c}x{h}x{h} add, then relu", widths, repeats, be =>
            {
                be.Binary(BinaryOp.Add, a, b, y, 1);
                be.Unary(UnaryOp.Relu, y, y);
            });
            Row(device, $"resnet tail {c}x{h}x{h} add + relu fused", widths, repeats, be => be.AddRelu(a, b, y));
        }
        foreach (var (c, h, w, k, s, p) in new[] { (64, 112, 112, 3, 2, 1), (256, 20, 15, 5, 1, 2), (128, 40, 30, 5, 1, 2), (64, 224, 224, 2, 2, 0) })
        {
            int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
            using var x = Random(device, 1, c, h, w);
            using var y = Tensor.Empty(device, 1, c, oh, ow);
            using var gy = Random(device, 1, c, oh, ow);
            using var gx = Tensor.Empty(device, 1, c, h, w);
            string shape = $"maxpool {c} {k}x{k}/{s} p{p} {h}x{w}";
            Row(device, $"{shape} forward", widths, repeats, be => be.MaxPool2d(x, y, k, s, p));
            Row(device, $"{shape} argmax + backward", widths, repeats, be =>
            {
                be.MaxPool2dArgmax(x, y, k, s, p);
                be.MaxPool2dBackward(y, gy, gx, k, s, p);
            });
        }
    }

    static Tensor Random(Device device, params int[] shape)
    {
        var rng = new Random(shape.Sum());
        var data = new float[Tensor.ShapeLength(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(device, data, shape);
    }

    static void Row(Device device, string name, SimdWidth[] widths, int repeats, Action<CpuBackend> call)
    {
        var cells = new List<string>();
        foreach (var width in widths)
        {
            var backend = new CpuBackend(device, width);
            call(backend);
            var times = new double[repeats];
            for (int i = 0; i < repeats; i++)
            {
                var sw = Stopwatch.StartNew();
                call(backend);
                times[i] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            cells.Add($"{times[repeats / 2],10:F3}");
        }
        Console.WriteLine($"{name,-44} " + string.Join(" ", cells));
    }
}
