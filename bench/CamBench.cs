using BenchmarkDotNet.Attributes;
using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// The issue's bar: yolov5n on samples/bus.jpg letterboxed to 640 (640×480), per backend (<see cref="BenchDevice"/>).
/// <c>Forward</c> is the plain forward pass; <c>ForwardGradCamOneSweep</c> is a whole <c>YoloCam.Compute</c>
/// (forward with model.17/20/23 watched, seeds, one K-target backward sweep, Grad-CAM maps and ranges at the three
/// layers for all K detections); <c>ForwardGradCamKSweeps</c> does the same with K separate backward passes (one
/// target each, as the seed tools loop). CAM cost in forwards = (ForwardGradCam − Forward) / Forward: bar &lt; 1.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class CamBench
{
    static readonly string[] Layers = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"];

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Backends() => BenchDevice.Names();

    Device _device = null!;
    YoloModel _model = null!;
    Tensor _input = null!;
    YoloTargets _targets = null!;
    YoloCam _cam = null!;

    internal YoloModel Model => _model;
    internal Tensor Input => _input;
    internal YoloTargets Targets => _targets;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open(Backend);
        _model = YoloModel.Build(_device, YoloCheckpoint.Load(BenchPaths.Sample("yolov5n.pt")));
        var image = ImageLoader.Load(BenchPaths.Sample("bus.jpg"));
        LetterboxInfo info;
        (_input, info) = Letterbox.Apply(_device, image, 640);
        using (var tape = new Tape())
        {
            var outs = _model.Forward(Var.Input(_input));
            var detections = Postprocess.Run(DetectHead.YoloV5(_model.Head.Classes), outs.Select(o => DetectOutput.FromTensor(o.Value)).ToArray(), info);
            _targets = YoloTargets.FromDetections(detections);
        }
        _cam = new YoloCam(_model);
        Console.WriteLine($"// CamBench on {_device.Description}: input {Tensor.Format(_input.Shape)}, K = {_targets.Count} detections, levels {string.Join(",", _targets.Items.Select(t => t.Level))}");
    }

    [Benchmark(Baseline = true)]
    public void Forward()
    {
        using var tape = new Tape();
        _model.Forward(Var.Input(_input));
        _device.Synchronize();
    }

    [Benchmark]
    public void ForwardGradCamOneSweep()
    {
        using var r = _cam.Compute(_input, _targets, new CamRequest { Layers = Layers });
    }

    [Benchmark]
    public void ForwardGradCamKSweeps()
    {
        // One forward (a forward per target would cost K forwards); the K backward passes are the difference.
        KSweeps(_model, _input, _targets);
    }

    /// <summary>One forward with the layers watched, then one backward pass and one Grad-CAM per target.</summary>
    public static void KSweeps(YoloModel model, Tensor input, YoloTargets targets)
    {
        var device = input.Device;
        var kernels = CamKernels.For(device);
        using var tape = new Tape();
        tape.Watch(Layers);
        var outs = model.Forward(Var.Input(input));
        int no = model.Head.Classes + 5;
        for (int k = 0; k < targets.Count; k++)
        {
            var t = targets.Items[k];
            // Seed only the target's own level, as back-propagating one scalar in PyTorch does.
            var o = outs[t.Level];
            using var seed = Tensor.Zeros(device, [1, .. o.Shape]);
            using (var one = seed.Slice(((t.Anchor * no + 5 + t.ClassId) * o.Shape[2] + t.GridY) * o.Shape[3] + t.GridX, 1))
                device.Backend.Fill(one, 1f);
            tape.Backward(o, seed);
            foreach (var layer in Layers)
            {
                var v = tape.Find(layer)!;
                if (v.Grad is null) continue;
                using var w = Tensor.Empty(device, 1, v.Shape[1]);
                using var map = Tensor.Empty(device, 1, v.Shape[2], v.Shape[3]);
                kernels.ChannelWeights(CamMethod.GradCam, v.Value, v.Grad, w, 0);
                kernels.WeightedSum(v.Value, w, map);
            }
        }
        device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _model.Dispose();
        _device.Dispose();
    }
}
