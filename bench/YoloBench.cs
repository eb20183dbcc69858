using BenchmarkDotNet.Attributes;
using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// YOLOv5 at 640 on samples/bus.jpg (letterboxed to 640x480), per backend (<see cref="BenchDevice"/>: the SIMD
/// CPU backend and the ILGPU kernels on the CPU simulator): forward only, and forward + one backward sweep with
/// K = 5 targets to the three C3 outputs the seed tools watch (model.17/20/23.cv3.act). yolov5n is the bundled
/// official checkpoint; yolov5s has yolov5s's widths (width_multiple 0.50) with random weights.
/// One invocation per iteration, 3 iterations: a pass on the ILGPU simulator takes seconds.
/// Peak device memory: `dotnet run -c Release -- memory`.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class YoloBench
{
    public static readonly string[] Layers = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"];

    [Params("yolov5n", "yolov5s")]
    public string Model { get; set; } = "yolov5n";

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Backends() => BenchDevice.Names();

    Device _device = null!;
    YoloDetector _detector = null!;
    Tensor _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open(Backend);
        _detector = Open(_device, Model);
        (_input, _) = Letterbox.Apply(_device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")));
    }

    /// <summary>yolov5n from the bundled checkpoint; yolov5s as its yaml with width 0.50 and random weights.</summary>
    public static YoloDetector Open(Device device, string model)
    {
        var checkpoint = YoloCheckpoint.Load(BenchPaths.Sample("yolov5n.pt"));
        if (model == "yolov5n") return new YoloDetector(device, YoloModel.Build(device, checkpoint));
        var config = checkpoint.Config with { WidthMultiple = 0.50 };
        return new YoloDetector(device, YoloModel.Build(device, RandomWeights.Checkpoint(config, seed: 1)));
    }

    [Benchmark]
    public void Forward()
    {
        using var tape = new Tape { Inference = true };
        _detector.Forward(_input);
        _device.Synchronize();
    }

    [Benchmark]
    public void ForwardBackward() => ForwardBackward(_device, _detector, _input, targets: 5);

    /// <summary>Forward with the three layers watched, then one K-target sweep seeded at K cells of level 0..2.</summary>
    public static void ForwardBackward(Device device, YoloDetector detector, Tensor input, int targets)
    {
        using var tape = new Tape();
        tape.Watch(Layers);
        var outputs = detector.Forward(input);
        var seeds = outputs.Select((o, level) =>
        {
            var seed = new float[targets * o.Value.Length];
            for (int k = 0; k < targets; k++)
                if (k % outputs.Length == level) seed[k * o.Value.Length + k * 37 % o.Value.Length] = 1f;
            return (o, Tensor.FromArray(device, seed, [targets, .. o.Shape]));
        }).ToList();
        tape.Backward(seeds);
        foreach (var (_, s) in seeds) s.Dispose();
        device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _detector.Dispose();
        _device.Dispose();
    }
}
