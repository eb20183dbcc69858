using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// `-- profile [repeats] [device] [--shapes] [--model M] [--im2col] [--fresh-copy]`: where a YOLO forward (yolov5n unless
/// --model: yolov5s, or yolov8n / yolo11n from bench/onnx/) and detect-cam's compute spend their time, per backend op; --shapes lists the convolutions per shape,
/// --im2col runs every conv forward as im2col + GEMM (none as an indirect GEMM) to compare the two, --fresh-copy
/// allocates the indirect GEMM's input copy per call as before issue #18. The header counts page faults per pass.
/// device.Profile() times every call; the waits after each call make the totals a little larger than an
/// unprofiled run. One warm-up, then the mean per pass over the repeats.
/// </summary>
public static class OpProfile
{
    static readonly List<(double Forward, double Post, double Backward, double Maps, double Total)> Phases = [];

    public static void Run(int repeats, string deviceName, bool shapes, string model, bool im2col = false, bool freshCopy = false)
    {
        using var device = BenchDevice.Open(deviceName);
        var (input, info) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")), 640);
        using var _ = input;
        // yolov5n/yolov5s as the other benches build them; yolov8n/yolo11n: the Ultralytics saves of bench/onnx/ (vs-ort.sh)
        using IDetector v5n = model.StartsWith("yolov5", StringComparison.Ordinal)
            ? YoloBench.Open(device, model)
            : YoloDetector.LoadAny(device, Path.Combine(OrtBench.OnnxDir(), model + ".pt"));
        var adapter = DetectorAdapters.For(v5n);
        var request = new CamRequest { Layers = v5n is YoloDetector ? YoloBench.Layers : adapter.DefaultLayers };

        void Forward()
        {
            using var tape = new Tape { Inference = true };
            v5n.Forward(input);
        }
        void DetectCam()
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double fwd = 0, post = 0;
            using var maps = CamEngine.Compute(adapter, input, outputs =>
            {
                fwd = clock.Elapsed.TotalMilliseconds;
                var t = YoloTargets.FromDetections(v5n.Postprocess(outputs, info));
                post = clock.Elapsed.TotalMilliseconds - fwd;
                return t;
            }, request);
            Phases.Add((fwd, post, maps.BackwardMs, maps.MapsMs, clock.Elapsed.TotalMilliseconds));
        }

        ConvIndirect.Enabled = !im2col;
        ConvIndirect.FreshCopy = freshCopy;
        var profiler = device.Profile();
        profiler.ConvShapes = shapes;
        foreach (var (name, pass) in new (string, Action)[] { ($"{model} forward", Forward), ("detect-cam compute", DetectCam) })
        {
            pass();
            profiler.Reset();
            long pooled = device.Pool.LiveBytes, managed = GC.GetTotalAllocatedBytes(precise: true);
            device.Pool.ResetPeak();
            long faults = MinorFaults();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) pass();
            double total = sw.Elapsed.TotalMilliseconds / repeats;
            faults = (MinorFaults() - faults) / repeats;
            double poolPeak = (device.Pool.PeakBytes - pooled) / 1048576.0;
            double gcMib = (GC.GetTotalAllocatedBytes(precise: true) - managed) / 1048576.0 / repeats;
            var rows = profiler.Report();
            if (Phases.Count > 0)
                Console.WriteLine("phases ms (forward, postprocess, seeds + backward, maps, total): " +
                    string.Join(" | ", Phases.Skip(1).Select(p => $"{p.Forward:F1} {p.Post:F1} {p.Backward:F1} {p.Maps:F1} {p.Total:F1}")));
            double ops = rows.Sum(r => r.Ms) / repeats;
            Console.WriteLine($"\n{name} on {device.Description}: {total:F1} ms per pass, {ops:F1} ms in backend ops, " +
                $"{faults} page faults per pass{(freshCopy ? ", input copy allocated per call" : "")}, device pool peak {poolPeak:F1} MiB " +
                $"above the weights, pool holding {(device.Pool.LiveBytes + device.Pool.CachedBytes - pooled) / 1048576.0:F1} MiB (live + cached), " +
                $"{gcMib:F1} MiB managed allocations per pass; load average " +
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
