using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// `-- profile [repeats] [device] [--shapes] [--model M] [--im2col]`: where a YOLOv5 forward (yolov5n unless
/// --model) and detect-cam's compute spend their time, per backend op; --shapes lists the convolutions per shape,
/// --im2col runs every conv forward as im2col + GEMM (none as an indirect GEMM) to compare the two.
/// device.Profile() times every call; the waits after each call make the totals a little larger than an
/// unprofiled run. One warm-up, then the mean per pass over the repeats.
/// </summary>
public static class OpProfile
{
    public static void Run(int repeats, string deviceName, bool shapes, string model, bool im2col = false)
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
        var profiler = device.Profile();
        profiler.ConvShapes = shapes;
        foreach (var (name, pass) in new (string, Action)[] { ($"{model} forward", Forward), ("detect-cam compute", DetectCam) })
        {
            pass();
            profiler.Reset();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) pass();
            double total = sw.Elapsed.TotalMilliseconds / repeats;
            var rows = profiler.Report();
            double ops = rows.Sum(r => r.Ms) / repeats;
            Console.WriteLine($"\n{name} on {device.Description}: {total:F1} ms per pass, {ops:F1} ms in backend ops");
            int width = Math.Max(28, rows.Max(r => r.Op.Length));
            Console.WriteLine($"{"op".PadRight(width)} {"calls",6} {"ms",9} {"share",6}");
            foreach (var (op, calls, ms) in rows)
                Console.WriteLine($"{op.PadRight(width)} {calls / repeats,6} {ms / repeats,9:F2} {ms / repeats / total,6:P0}");
        }
    }
}
