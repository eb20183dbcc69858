using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// `-- profile [repeats] [device] [--shapes] [--model M] [--im2col] [--fresh-copy]`: where a YOLOv5 forward (yolov5n unless
/// --model) and detect-cam's compute spend their time, per backend op; --shapes lists the convolutions per shape,
/// --im2col runs every conv forward as im2col + GEMM (none as an indirect GEMM) to compare the two, --fresh-copy
/// allocates the indirect GEMM's input copy per call as before issue #18. The header counts page faults per pass.
/// device.Profile() times every call; the waits after each call make the totals a little larger than an
/// unprofiled run. One warm-up, then the mean per pass over the repeats.
/// </summary>
public static class OpProfile
{
    public static void Run(int repeats, string deviceName, bool shapes, string model, bool im2col = false, bool freshCopy = false)
    {
        using var device = BenchDevice.Open(deviceName);
        var (input, info) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")), 640);
        using var _ = input;
        using var v5n = YoloBench.Open(device, model);
        var cam = new YoloCam(v5n.Model);
        var request = new CamRequest { Layers = YoloBench.Layers };

        void Forward()
        {
            using var tape = new Tape { Inference = true };
            v5n.Forward(input);
        }
        void DetectCam()
        {
            using var maps = cam.Compute(input, outputs => YoloTargets.FromDetections(v5n.Postprocess(outputs, info)), request);
        }

        ConvIndirect.Enabled = !im2col;
        ConvIndirect.FreshCopy = freshCopy;
        var profiler = device.Profile();
        profiler.ConvShapes = shapes;
        foreach (var (name, pass) in new (string, Action)[] { ($"{model} forward", Forward), ("detect-cam compute", DetectCam) })
        {
            pass();
            profiler.Reset();
            long faults = MinorFaults();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) pass();
            double total = sw.Elapsed.TotalMilliseconds / repeats;
            faults = (MinorFaults() - faults) / repeats;
            var rows = profiler.Report();
            double ops = rows.Sum(r => r.Ms) / repeats;
            Console.WriteLine($"\n{name} on {device.Description}: {total:F1} ms per pass, {ops:F1} ms in backend ops, " +
                $"{faults} page faults per pass{(freshCopy ? ", input copy allocated per call" : "")}; load average " +
                string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
            int width = Math.Max(28, rows.Max(r => r.Op.Length));
            Console.WriteLine($"{"op".PadRight(width)} {"calls",6} {"ms",9} {"share",6}");
            foreach (var (op, calls, ms) in rows)
                Console.WriteLine($"{op.PadRight(width)} {calls / repeats,6} {ms / repeats,9:F2} {ms / repeats / total,6:P0}");
        }
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat; 0 where there is none).</summary>
    static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }
}
