using System.Diagnostics;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// <c>conv-table [repeats]</c>: Stopwatch medians (ms) of single dense conv forward calls on the few-channel
/// downsampling shapes of YOLOv5n / YOLOv8n at 640×480 (issue #18), as an indirect GEMM and as im2col + GEMM, at
/// each GEMM micro-kernel width, and (ind-fresh) as the indirect GEMM with its input copy allocated per call as before
/// issue #18. Random data, one warm-up call per cell; rows alternate the paths so load falls on all.
/// `NATIVECAM_CONV_SHAPES="cin,cout,h,w,k,s,p;.."` times other shapes.
/// </summary>
public static class ConvTable
{
    public static void Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0]) : 15;
        using var device = BenchDevice.Open("cpu");
        var backend = new CpuBackend(device);
        Console.WriteLine($"conv-table: {CpuBackend.Describe()}; median of {repeats} calls, ms; load average " +
            string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
        var paths = new[] { Sgemm.Path.Vector512, Sgemm.Path.Vector256, Sgemm.Path.Vector128 };
        Console.WriteLine($"{"conv",-40} {"path",-9} " + string.Join(" ", paths.Select(p => $"{p,10}")));
        //                  cin cout  h    w   k  s  p
        var shapes = new[] { (16, 32, 240, 320, 3, 2, 1), (3, 16, 480, 640, 3, 2, 1), (3, 16, 480, 640, 6, 2, 2),
            (32, 64, 120, 160, 3, 2, 1), (16, 16, 240, 320, 3, 1, 1) };
        if (Environment.GetEnvironmentVariable("NATIVECAM_CONV_SHAPES") is { Length: > 0 } list)
            shapes = list.Split(';').Select(t => t.Split(',').Select(int.Parse).ToArray()).Select(v => (v[0], v[1], v[2], v[3], v[4], v[5], v[6])).ToArray();
        foreach (var (cin, cout, h, w, k, s, p) in shapes)
        {
            var g = new ConvGeometry(s, s, p, p, 1);
            int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
            using var x = Random(device, 1, cin, h, w);
            using var wt = Random(device, cout, cin, k, k);
            using var b = Random(device, cout);
            using var y = Tensor.Empty(device, 1, cout, oh, ow);
            string name = $"{cin}->{cout} {k}x{k}/{s} p{p} {h}x{w}";
            foreach (var (indirect, fresh) in new[] { (true, false), (true, true), (false, false) })
            {
                var cells = new List<string>();
                foreach (var path in paths)
                {
                    Sgemm.Override = path;
                    ConvIndirect.Enabled = indirect;
                    ConvIndirect.FreshCopy = fresh;
                    bool used = indirect && ConvIndirect.Suits(new ConvDims(1, cin, h, w, 1, cout, oh, ow, k, k, g));
                    backend.Conv2d(x, wt, b, y, g);
                    var times = new double[repeats];
                    for (int i = 0; i < repeats; i++)
                    {
                        var sw = Stopwatch.StartNew();
                        backend.Conv2d(x, wt, b, y, g);
                        times[i] = sw.Elapsed.TotalMilliseconds;
                    }
                    Array.Sort(times);
                    cells.Add($"{times[repeats / 2],9:F3}{(indirect && !used ? "*" : " ")}");
                }
                Console.WriteLine($"{name,-40} {(!indirect ? "im2col" : fresh ? "ind-fresh" : "indirect"),-9} " + string.Join(" ", cells));
            }
        }
        Sgemm.Override = Sgemm.Path.Auto;
        ConvIndirect.Enabled = true;
        ConvIndirect.FreshCopy = false;
    }

    static Tensor Random(Device device, params int[] shape)
    {
        var rng = new Random(shape.Sum());
        var data = new float[Tensor.ShapeLength(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(device, data, shape);
    }
}
