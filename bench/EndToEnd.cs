using System.Diagnostics;
using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Cam.Classifiers;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Vit;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// `dotnet run -c Release --project bench -- e2e [repeats] [devices] [--works a,b] [--out FILE]`: the end-to-end
/// work of bench/pytorch/e2e.py, timed the same way (one warm-up run, then <c>repeats</c> runs, Stopwatch, median),
/// per device: <c>cpu</c> by default; <c>cpu,ilgpu-cpu:1</c> adds the ILGPU simulator with its own repeat count.
/// Progress goes to stderr, the JSON to stdout (and FILE); bench/vs-pytorch.sh puts it next to PyTorch's.
/// <list type="bullet">
/// <item><c>yolov5n_forward</c>, <c>yolov5s_forward</c>: the forward at 640 on bus.jpg (letterboxed to 640×480);
/// yolov5s is the v5s yaml's widths with random weights (<see cref="YoloBench.Open"/>).</item>
/// <item><c>detect_cam</c>: the CLI's detect-cam compute with yolov5n: <see cref="YoloCam.Compute(Tensor, Func{Var[], YoloTargets}, CamRequest?)"/>
/// with NMS choosing the targets inside the forward, one K-target backward sweep, Grad-CAM of every detection at
/// model.17/20/23.cv3.act (no rendering, no files).</item>
/// <item><c>vit_forward</c>, <c>vit_forward_backward</c>: ViT-B/16 at 224 with random weights; forward, and forward +
/// full backward (every weight's gradient, <c>VitBench.ForwardFullBackward</c>).</item>
/// <item><c>resnet50_forward</c>, <c>mobilenet_v2_forward</c>: torchvision's resnet50 / mobilenet_v2 at 224 from
/// the seeded state dicts bench/pytorch/export_onnx.py saves in bench/onnx/ (the weights ORT runs in bench/vs-ort.sh),
/// on an inference tape. Not in the default list (they need that export): name them with --works.</item>
/// <item><c>resnet50_gradcam_1</c>, <c>resnet50_gradcam_5</c>: classify-cam's compute on that resnet50 and the
/// prepared bus.jpg (tests/fixtures/classifiers/bus_224.npy): one forward choosing the top 1 / top 5 classes from its
/// logits, one backward sweep for all of them, Grad-CAM at <c>layer4</c>, and each class's final map as
/// pytorch-grad-cam returns it (min–max, resized to 224, <see cref="MapAggregation.Final"/>). No files.</item>
/// <item><c>resnet50_scorecam</c>: the same with Score-CAM at <c>layer4</c> for the top class: 2048 masked forwards in
/// batches of 16 (pytorch-grad-cam's default batch), no backward.</item>
/// <item><c>resnet50_ablationcam</c>: the same with Ablation-CAM at <c>layer4</c>: 2048 ablations in batches of 32
/// (pytorch-grad-cam's default), each batch a forward of the one image below layer4 and of 32 ablated copies above
/// it, no backward.</item>
/// </list>
/// </summary>
public static class EndToEnd
{
    /// <summary>What runs without --works: the works bench/pytorch/e2e.py times too.</summary>
    public static readonly string[] DefaultWorks = ["yolov5n_forward", "yolov5s_forward", "detect_cam", "vit_forward", "vit_forward_backward"];

    public static readonly string[] AllWorks = [.. DefaultWorks, "resnet50_forward", "mobilenet_v2_forward", "resnet50_gradcam_1", "resnet50_gradcam_5", "resnet50_scorecam", "resnet50_ablationcam"];

    public static void Run(string[] args)
    {
        int repeats = 5;
        string devices = "cpu";
        string[] works = DefaultWorks;
        string? outFile = null;
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--works" && i + 1 < args.Length) works = BenchDevice.Parse(args[++i]);
            else if (args[i] == "--out" && i + 1 < args.Length) outFile = args[++i];
            else positional.Add(args[i]);
        }
        if (positional.Count > 0) repeats = int.Parse(positional[0]);
        if (positional.Count > 1) devices = positional[1];
        if (works.FirstOrDefault(w => !AllWorks.Contains(w)) is { } unknown)
            throw new ArgumentException($"e2e: unknown work '{unknown}' (expected {string.Join(", ", AllWorks)})");

        var results = new List<Dictionary<string, object?>>();
        foreach (var entry in BenchDevice.Parse(devices))
        {
            var parts = entry.Split(':');
            results.Add(RunDevice(parts[0], parts.Length > 1 ? int.Parse(parts[1]) : repeats, works));
        }
        var report = new Dictionary<string, object?>
        {
            ["tool"] = "NativeCam",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["processors"] = Environment.ProcessorCount,
            ["peak_rss_mib"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0),
            ["devices"] = results,
        };
        string json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        Console.WriteLine(json);
        if (outFile != null) File.WriteAllText(outFile, json + "\n");
    }

    static Dictionary<string, object?> RunDevice(string name, int repeats, string[] works)
    {
        using var device = BenchDevice.Open(name);
        Console.Error.WriteLine($"e2e on {device.Description}: 1 warm-up + {repeats} runs per work");
        var timings = new Dictionary<string, object?>();
        var result = new Dictionary<string, object?>
        {
            ["device"] = name, ["description"] = device.Description, ["repeats"] = repeats, ["works"] = timings,
        };
        void Time(string work, Action pass)
        {
            if (!works.Contains(work)) return;
            var t = Measure(pass, repeats);
            Console.Error.WriteLine($"  {work,-22} median {t.MedianMs,10:F1} ms   (warm-up {t.WarmupMs:F0} ms; runs {string.Join(" ", t.RunsMs.Select(v => v.ToString("F0")))})");
            timings[work] = new Dictionary<string, object?>
            {
                ["median_ms"] = Math.Round(t.MedianMs, 2), ["warmup_ms"] = Math.Round(t.WarmupMs, 2),
                ["runs_ms"] = t.RunsMs.Select(v => Math.Round(v, 2)).ToArray(),
            };
        }

        if (works.Any(w => w.StartsWith("yolo", StringComparison.Ordinal) || w == "detect_cam"))
        {
            var (input, info) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")), 640);
            using var _ = input;
            result["yolo_input"] = input.Shape;
            // The order of bench/pytorch/e2e.py (v5n, v5s, detect-cam): on a shared machine that throttles under
            // sustained load, each work then meets the same conditions on both sides.
            using var v5n = YoloBench.Open(device, "yolov5n");
            Time("yolov5n_forward", () => YoloForward(v5n, input));
            if (works.Contains("yolov5s_forward"))
            {
                using var v5s = YoloBench.Open(device, "yolov5s");
                Time("yolov5s_forward", () => YoloForward(v5s, input));
            }
            var cam = new YoloCam(v5n.Model);
            var request = new CamRequest { Layers = YoloBench.Layers };
            int detections = 0;
            Time("detect_cam", () =>
            {
                using var maps = cam.Compute(input, outputs =>
                {
                    var targets = YoloTargets.FromDetections(v5n.Postprocess(outputs, info));
                    detections = targets.Count;
                    return targets;
                }, request);
            });
            if (works.Contains("detect_cam")) result["detections"] = detections;
        }

        if (works.Any(w => w.StartsWith("vit", StringComparison.Ordinal)))
        {
            var (model, input) = VitBench.Build(device);
            using (model)
            using (input)
            {
                Time("vit_forward", () => VitBench.Forward(device, model, input));
                Time("vit_forward_backward", () => VitBench.ForwardFullBackward(device, model, input));
            }
        }

        foreach (var work in new[] { "resnet50_forward", "mobilenet_v2_forward" }.Where(works.Contains))
        {
            var (model, input) = OrtBench.OpenClassifier(device, work);
            using (model)
            using (input)
                Time(work, () => OrtBench.ClassifierForward(device, model, input));
        }

        if (works.Any(w => w.StartsWith("resnet50_gradcam", StringComparison.Ordinal) || w is "resnet50_scorecam" or "resnet50_ablationcam"))
        {
            var (model, _) = OrtBench.OpenClassifier(device, "resnet50_forward");
            using var __ = model;
            using var input = BusInput(device);
            var adapter = new ClassifierCamAdapter(model);
            var request = new CamRequest { Layers = ["layer4"] };
            foreach (int k in new[] { 1, 5 })
                Time($"resnet50_gradcam_{k}", () =>
                {
                    using var pass = ClassPass.Run(adapter, input, logits => ClassPass.Top(logits, k), request);
                    var map = pass.Result[CamMethod.GradCam, "layer4"].ToHost();
                    for (int c = 0; c < k; c++) MapAggregation.Final([(map.Maps[c], map.Height, map.Width)], 224, 224);
                });
            foreach (var (work, method, batch) in new[] { ("resnet50_scorecam", CamMethod.ScoreCam, 16), ("resnet50_ablationcam", CamMethod.AblationCam, 32) })
            {
                var perturbRequest = new CamRequest { Layers = ["layer4"], Methods = [method], BatchSize = batch };
                Time(work, () =>
                {
                    using var pass = ClassPass.Run(adapter, input, logits => ClassPass.Top(logits, 1), perturbRequest);
                    var map = pass.Result[method, "layer4"].ToHost();
                    MapAggregation.Final([(map.Maps[0], map.Height, map.Width)], 224, 224);
                });
            }
        }
        return result;
    }

    /// <summary>bus.jpg as torchvision's classifier transform prepares it (Resize 256, CenterCrop 224, ImageNet
    /// normalisation): the tensor tests/fixtures/classifiers/bus_224.npy, which bench/pytorch/e2e.py loads too.</summary>
    static Tensor BusInput(Device device)
    {
        var (data, shape) = Npy.Read(Path.Combine(BenchPaths.Root(), "tests", "fixtures", "classifiers", "bus_224.npy"));
        return Tensor.FromArray(device, data, shape);
    }

    static void YoloForward(YoloDetector detector, Tensor input)
    {
        using var tape = new Tape { Inference = true }; // like PyTorch's no_grad side: nothing is kept for a backward
        detector.Forward(input);
        detector.Device.Synchronize();
    }

    sealed record Timing(double WarmupMs, List<double> RunsMs)
    {
        public double MedianMs
        {
            get
            {
                var sorted = RunsMs.Order().ToList();
                int n = sorted.Count;
                return n == 0 ? WarmupMs : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            }
        }
    }

    /// <summary>One warm-up run (kernel compilation, first allocations), then <paramref name="repeats"/> timed runs.</summary>
    static Timing Measure(Action pass, int repeats)
    {
        var sw = Stopwatch.StartNew();
        pass();
        double warmup = sw.Elapsed.TotalMilliseconds;
        var runs = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            sw.Restart();
            pass();
            runs.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new Timing(warmup, runs);
    }
}
