using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// Peak device memory (the buffer pool's exact counter) of forward and forward + backward (K = 5, three layers)
/// at 640 for yolov5n and yolov5s, per backend: `dotnet run -c Release --project bench -- memory [cpu,ilgpu-cpu]`.
/// The pool counts device buffers only: scratch a backend takes outside the pool is not in these numbers.
/// </summary>
public static class MemoryReport
{
    public static void Run(IEnumerable<string> backends)
    {
        foreach (var backend in backends) Run(backend);
    }

    static void Run(string backend)
    {
        using var device = BenchDevice.Open(backend);
        var (input, _) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")));
        using (input)
        {
            Console.WriteLine($"{"model",-8} {"weights MiB",12} {"forward peak MiB",17} {"inference peak MiB",19} {"fwd+bwd peak MiB",17}   (input {Tensor.Format(input.Shape)}, {device.Description})");
            foreach (var name in new[] { "yolov5n", "yolov5s" })
            {
                long before = device.Pool.LiveBytes;
                using var detector = YoloBench.Open(device, name);
                long weights = device.Pool.LiveBytes - before;
                device.Pool.ResetPeak();
                using (new Tape()) detector.Forward(input);
                long forward = device.Pool.PeakBytes - before;
                device.Pool.ResetPeak();
                using (new Tape { Inference = true }) detector.Forward(input);
                long inference = device.Pool.PeakBytes - before;
                device.Pool.ResetPeak();
                YoloBench.ForwardBackward(device, detector, input, targets: 5);
                long backward = device.Pool.PeakBytes - before;
                Console.WriteLine($"{name,-8} {Mib(weights),12:F1} {Mib(forward),17:F1} {Mib(inference),19:F1} {Mib(backward),17:F1}");
            }
        }
    }

    static double Mib(long bytes) => bytes / 1048576.0;
}
