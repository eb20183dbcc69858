using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Vit;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// ONNX Runtime as a peer on the CPU (issue #18 §1; bench/vs-ort.sh runs it all):
/// <list type="bullet">
/// <item><c>ort-check [DIR]</c>: runs every model of DIR/manifest.json (bench/onnx/, written by
/// bench/pytorch/export_onnx.py) in ONNX Runtime on the input PyTorch exported it with, and prints the max abs diff
/// of each output against PyTorch's (and, for the Ultralytics models, NativeCam's on the file it reads); exits non-zero
/// above the tolerance.</item>
/// <item><c>vs-ort [ROUNDS] [--works a,b] [--out FILE.md] [--json FILE]</c>: every work's NativeCam and ONNX Runtime
/// sides loaded in this process, one warm-up each, then ROUNDS rounds that run every work once per side alternately
/// (NativeCam, ORT, next work, ...), medians; then the peak RSS of each side, each measured in a child process of its own
/// (<c>ort-rss SIDE WORK</c>: load, warm-up, one run, VmHWM from /proc/self/status); the fp32 peak of the cores
/// (<see cref="CpuPeak"/>) before and after. Prints one markdown table.</item>
/// </list>
/// ORT runs as configured here: 2 intra-op threads (the cores NativeCam uses), 1 inter-op thread, sequential
/// execution, ORT_ENABLE_ALL graph optimisation, its default CPU execution provider and arena.
/// Works: <c>yolov5n_forward</c>, <c>yolov5s_forward</c> (640, bus.jpg letterboxed to 640×480), <c>detect_cam</c>
/// (NativeCam's detect-cam compute with yolov5n against ORT's yolov5n forward alone), <c>vit_forward</c> (ViT-B/16,
/// 224), <c>resnet50_forward</c>, <c>mobilenet_v2_forward</c> (224, the exported seeded torchvision state dicts),
/// <c>yolov8n_forward</c>, <c>yolo11n_forward</c> (the Ultralytics training saves export_onnx.py wrote, bus.jpg at 640:
/// the three raw Detect levels) and <c>yolov8n_detect_cam</c> (Grad-CAM of every detection at the Detect inputs, one sweep, against ORT's
/// yolov8n forward alone). Without a <c>--works</c> list, works whose model bench/onnx/ lacks are left out with a note.
/// </summary>
public static partial class OrtBench
{
    public static readonly string[] Works =
        ["yolov5n_forward", "yolov5s_forward", "detect_cam", "vit_forward", "resnet50_forward", "mobilenet_v2_forward",
         "yolov8n_forward", "yolo11n_forward", "yolov8n_detect_cam"];

    /// <summary>The ONNX model a work's ORT side runs.</summary>
    public static string OnnxModelOf(string work) => OnnxModel(work);

    /// <summary>A work's NativeCam side, loaded (for <see cref="OrtProfile"/>).</summary>
    internal static IRunnable OpenNativeSide(string work) => OpenNative(work, OnnxDir());

    /// <summary>A loaded pass on a device.</summary>
    internal interface IRunnable : IDisposable
    {
        Device Device { get; }

        void Run();
    }

    static string OnnxModel(string work) => work switch
    {
        "detect_cam" => "yolov5n",
        "yolov8n_detect_cam" => "yolov8n",
        "vit_forward" => "vit_b16",
        _ => work[..work.LastIndexOf("_forward", StringComparison.Ordinal)],
    };

    public static string OnnxDir() => Path.Combine(BenchPaths.Root(), "bench", "onnx");

    static JsonObject Manifest(string dir)
    {
        string path = Path.Combine(dir, "manifest.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: run /usr/bin/python3 bench/pytorch/export_onnx.py first");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    static JsonObject ModelEntry(string dir, string model) =>
        Manifest(dir)["models"]?[model]?.AsObject()
        ?? throw new InvalidDataException($"bench/onnx/manifest.json has no {model}: run bench/pytorch/export_onnx.py");

    static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var data = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, data, 0, data.Length * 4);
        return data;
    }

    // ---------------------------------------------------------------- the ORT side

    /// <summary>Whether ORT's intra-op threads spin while waiting for work (ORT's default; <c>--ort-no-spin</c> turns it off).</summary>
    public static bool Spinning { get; set; } = true;

    /// <summary>Whether ORT's workers stop spinning when a Run() ends (<c>session.force_spinning_stop</c>; on unless
    /// <c>--ort-keep-spinning</c>).</summary>
    public static bool StopSpinning { get; set; } = true;

    /// <summary>One ORT session with its input, run on demand.</summary>
    public sealed class OrtSide : IDisposable
    {
        readonly InferenceSession _session;
        readonly OrtValue _input;
        readonly RunOptions _run = new();
        readonly string[] _inputNames, _outputNames;

        public OrtSide(string dir, string model, string? profilePrefix = null)
        {
            var entry = ModelEntry(dir, model);
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 2, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            if (!Spinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            // Spinning workers that go on after Run() returns take a core from whatever runs next (measured: NativeCam's
            // yolov5n forward 26 ms instead of 16 right after an ORT run): stop them when a Run() ends.
            if (StopSpinning) options.AddSessionConfigEntry("session.force_spinning_stop", "1");
            if (profilePrefix != null)
            {
                options.ProfileOutputPathPrefix = profilePrefix; // before EnableProfiling, which reads it
                options.EnableProfiling = true;
            }
            _session = new InferenceSession(Path.Combine(dir, entry["onnx"]!.GetValue<string>()), options);
            long[] shape = entry["input"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
            _input = OrtValue.CreateTensorValueFromMemory(ReadFloats(Path.Combine(dir, entry["input_file"]!.GetValue<string>())), shape);
            _inputNames = [.. _session.InputNames];
            _outputNames = [.. _session.OutputNames];
        }

        /// <summary>One forward; the outputs as arrays when <paramref name="keep"/>.</summary>
        public float[][]? Run(bool keep = false)
        {
            using var outputs = _session.Run(_run, _inputNames, [_input], _outputNames);
            return keep ? outputs.Select(o => o.GetTensorDataAsSpan<float>().ToArray()).ToArray() : null;
        }

        /// <summary>Ends ORT's profiling; the path of its JSON trace.</summary>
        public string EndProfiling() => _session.EndProfiling();

        public void Dispose()
        {
            _input.Dispose();
            _run.Dispose();
            _session.Dispose();
        }
    }

    /// <summary><c>ort-check</c>: ORT's outputs against PyTorch's for every exported model.</summary>
    public static int Check(string? dir)
    {
        dir ??= OnnxDir();
        var models = Manifest(dir)["models"]!.AsObject();
        bool ok = true;
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} against PyTorch (bench/onnx/*.out*.bin), 2 threads, ORT_ENABLE_ALL");
        foreach (var (name, node) in models)
        {
            var files = node!["output_files"]!.AsArray().Select(f => f!.GetValue<string>()).ToArray();
            using var ort = new OrtSide(dir, name);
            var outputs = ort.Run(keep: true)!;
            for (int i = 0; i < files.Length; i++)
            {
                var expected = ReadFloats(Path.Combine(dir, files[i]));
                if (expected.Length != outputs[i].Length)
                    throw new InvalidDataException($"{name} out{i}: ORT gave {outputs[i].Length} values, PyTorch {expected.Length}");
                double maxDiff = 0, maxRef = 0;
                for (int j = 0; j < expected.Length; j++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(expected[j] - outputs[i][j]));
                    maxRef = Math.Max(maxRef, Math.Abs(expected[j]));
                }
                // fp32 with reordered sums (fused Conv+activation, other GEMM blocking): 1e-4 of the output's scale;
                // an all-zero output checks nothing and fails
                bool pass = maxRef > 0 && maxDiff <= 1e-4 * maxRef + 1e-6;
                ok &= pass;
                Console.WriteLine($"  {name,-13} out{i} [{expected.Length,8} values] max abs diff {maxDiff:E2} (max |PyTorch| {maxRef:F2}) {(pass ? "ok" : "FAIL")}");
            }
            if (node["state_dict"]?.GetValue<string>() is { } file && file.EndsWith(".pt", StringComparison.Ordinal) && name.StartsWith("yolo", StringComparison.Ordinal))
                ok &= CheckNative(dir, name, files);
        }
        return ok ? 0 : 1;
    }

    // ---------------------------------------------------------------- the NativeCam side

    /// <summary>A work's NativeCam pass with what it holds.</summary>
    sealed class NativeSide(Device device, Action pass, IDisposable[] owned) : IRunnable
    {
        public Device Device => device;

        public void Run() => pass();

        public void Dispose()
        {
            foreach (var d in owned.Reverse()) d.Dispose();
        }
    }

    static NativeSide OpenNative(string work, string dir)
    {
        var device = BenchDevice.Open("cpu");
        switch (work)
        {
            case "yolov5n_forward" or "yolov5s_forward" or "detect_cam":
            {
                var (input, info) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")), 640);
                var detector = YoloBench.Open(device, work == "yolov5s_forward" ? "yolov5s" : "yolov5n");
                if (work != "detect_cam")
                    return new NativeSide(device, () =>
                    {
                        using var tape = new Tape { Inference = true };
                        detector.Forward(input);
                        device.Synchronize();
                    }, [device, input, detector]);
                var cam = new YoloCam(detector.Model);
                var request = new CamRequest { Layers = YoloBench.Layers };
                return new NativeSide(device, () =>
                {
                    using var maps = cam.Compute(input, outputs => YoloTargets.FromDetections(detector.Postprocess(outputs, info)), request);
                }, [device, input, detector]);
            }
            case "yolov8n_forward" or "yolo11n_forward" or "yolov8n_detect_cam":
            {
                var (input, info) = Letterbox.Apply(device, ImageLoader.Load(BenchPaths.Sample("bus.jpg")), 640);
                var entry = ModelEntry(dir, OnnxModel(work));
                var detector = YoloDetector.LoadAny(device, Path.Combine(dir, entry["state_dict"]!.GetValue<string>()));
                if (work != "yolov8n_detect_cam")
                    return new NativeSide(device, () =>
                    {
                        using var tape = new Tape { Inference = true };
                        detector.Forward(input);
                        device.Synchronize();
                    }, [device, input, detector]);
                var adapter = DetectorAdapters.For(detector);
                var request = new CamRequest { Layers = adapter.DefaultLayers };
                return new NativeSide(device, () =>
                {
                    using var maps = CamEngine.Compute(adapter, input, outputs => YoloTargets.FromDetections(detector.Postprocess(outputs, info)), request);
                }, [device, input, detector]);
            }
            case "vit_forward":
            {
                var (model, input) = VitBench.Build(device);
                return new NativeSide(device, () => VitBench.Forward(device, model, input), [device, model, input]);
            }
            default:
            {
                var (model, input) = OpenClassifier(device, work, dir);
                return new NativeSide(device, () => ClassifierForward(device, model, input), [device, model, input]);
            }
        }
    }

    /// <summary>resnet50 / mobilenet_v2 from the seeded torchvision state dict export_onnx.py saved, and the same
    /// input ORT gets.</summary>
    public static (ClassifierModel Model, Tensor Input) OpenClassifier(Device device, string work, string? dir = null)
    {
        dir ??= OnnxDir();
        string name = OnnxModel(work);
        var entry = ModelEntry(dir, name);
        string stateDict = Path.Combine(dir, entry["state_dict"]!.GetValue<string>());
        var model = ClassifierModel.Build(device, ClassifierCheckpoint.Load(stateDict, name));
        int[] shape = entry["input"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        return (model, Tensor.FromArray(device, ReadFloats(Path.Combine(dir, entry["input_file"]!.GetValue<string>())), shape));
    }

    public static void ClassifierForward(Device device, ClassifierModel model, Tensor input)
    {
        using var tape = new Tape { Inference = true };
        model.Forward(Var.Input(input));
        device.Synchronize();
    }

    // ---------------------------------------------------------------- timing

    static double Median(List<double> v)
    {
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    static double Ms(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>The pause before each timed run (ms; <c>--sleep-ms</c>).</summary>
    static int PauseMs = 20;

    static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary><c>vs-ort</c>.</summary>
    public static void Run(string[] args)
    {
        int rounds = 7;
        string[]? works = null;
        string? outFile = null, jsonFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--works" && i + 1 < args.Length) works = BenchDevice.Parse(args[++i]);
            else if (args[i] == "--out" && i + 1 < args.Length) outFile = args[++i];
            else if (args[i] == "--json" && i + 1 < args.Length) jsonFile = args[++i];
            else if (args[i] == "--ort-no-spin") Spinning = false;
            else if (args[i] == "--ort-keep-spinning") StopSpinning = false;
            else if (args[i] == "--sleep-ms" && i + 1 < args.Length) PauseMs = int.Parse(args[++i]);
            else rounds = int.Parse(args[i]);
        }
        if (works?.FirstOrDefault(w => !Works.Contains(w)) is { } unknown)
            throw new ArgumentException($"vs-ort: unknown work '{unknown}' (expected {string.Join(", ", Works)})");
        string dir = OnnxDir();
        var manifest = Manifest(dir);
        if (works is null)
        {
            works = Works.Where(w => manifest["models"]?[OnnxModel(w)] is not null).ToArray();
            foreach (var w in Works.Except(works))
                Console.Error.WriteLine($"vs-ort: {w} left out: bench/onnx/ has no {OnnxModel(w)} (export_onnx.py; the Ultralytics models need ULTRALYTICS)");
        }
        string loadBefore = Load();
        double peakBefore = CpuPeak(), wallBefore = GemmPeak.Measure(Environment.ProcessorCount);
        Console.Error.WriteLine($"vs-ort: load average {loadBefore}; fp32 peak {peakBefore:F0} GFLOP/s; 1 warm-up + {rounds} alternate runs per side and work");

        // Every work's two sides are loaded first; each round then runs every work once per side (NativeCam, ORT,
        // next work, ...), so a burst of other load on the shared cores falls on all works and both sides alike
        // instead of on the one work that happened to be timed then.
        var sides = new List<(string Work, IRunnable Native, OrtSide Ort, List<double> NativeRuns, List<double> OrtRuns, double WarmNative, double WarmOrt)>();
        try
        {
            foreach (var work in works)
            {
                var native = OpenNative(work, dir);
                var ort = new OrtSide(dir, OnnxModel(work));
                sides.Add((work, native, ort, [], [], Ms(native.Run), Ms(() => ort.Run())));
            }
            for (int r = 0; r < rounds; r++)
                foreach (var (_, native, ort, nativeRuns, ortRuns, _, _) in sides)
                {
                    Thread.Sleep(PauseMs); // lets either side's idle threads park before the other side starts
                    nativeRuns.Add(Ms(native.Run));
                    Thread.Sleep(PauseMs);
                    ortRuns.Add(Ms(() => ort.Run()));
                }
        }
        finally
        {
            foreach (var side in sides)
            {
                side.Native.Dispose();
                side.Ort.Dispose();
            }
        }
        var rows = new List<Dictionary<string, object?>>();
        foreach (var (work, _, _, nativeRuns, ortRuns, warmNative, warmOrt) in sides)
        {
            double flops = manifest["models"]![OnnxModel(work)]!["flops"]!.GetValue<double>();
            rows.Add(new Dictionary<string, object?>
            {
                ["work"] = work, ["flops"] = flops, ["nativecam_median_ms"] = Median(nativeRuns), ["ort_median_ms"] = Median(ortRuns),
                ["nativecam_warmup_ms"] = warmNative, ["ort_warmup_ms"] = warmOrt,
                ["nativecam_runs_ms"] = nativeRuns.Select(v => Math.Round(v, 1)).ToArray(),
                ["ort_runs_ms"] = ortRuns.Select(v => Math.Round(v, 1)).ToArray(),
            });
            Console.Error.WriteLine($"  {work,-21} NativeCam {Median(nativeRuns),8:F1} ms   ORT {Median(ortRuns),8:F1} ms   " +
                $"(NativeCam {string.Join(" ", nativeRuns.Select(v => v.ToString("F0")))}; ORT {string.Join(" ", ortRuns.Select(v => v.ToString("F0")))})");
        }
        double peakAfter = CpuPeak(), wallAfter = GemmPeak.Measure(Environment.ProcessorCount);
        string loadAfter = Load();

        Console.Error.WriteLine("peak RSS, each side and work in a child process of its own:");
        double idle = ChildRss("idle", "none");
        foreach (var row in rows)
        {
            string work = (string)row["work"]!;
            row["nativecam_peak_rss_mib"] = ChildRss("nativecam", work);
            row["ort_peak_rss_mib"] = ChildRss("ort", work);
            Console.Error.WriteLine($"  {work,-21} NativeCam {row["nativecam_peak_rss_mib"],6:F0} MiB   ORT {row["ort_peak_rss_mib"],6:F0} MiB");
        }

        double peak = Math.Max(peakBefore, peakAfter);
        var md = Table(rows, rounds, peak, peakBefore, peakAfter, loadBefore, loadAfter, idle, wallBefore, wallAfter);
        Console.WriteLine(md);
        if (outFile != null) File.WriteAllText(outFile, md);
        if (jsonFile != null)
            File.WriteAllText(jsonFile, JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["machine"] = Machine(), ["rounds"] = rounds,
                ["peak_gflops_before"] = peakBefore, ["peak_gflops_after"] = peakAfter,
                ["wall_peak_gflops_before"] = wallBefore, ["wall_peak_gflops_after"] = wallAfter, ["load_before"] = loadBefore,
                ["load_after"] = loadAfter, ["idle_rss_mib"] = idle, ["ort"] = OrtEnv.Instance().GetVersionString(), ["works"] = rows,
            }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The cores' fp32 peak: one thread's Vector512 FMA rate per second of its own CPU time
    /// (<see cref="GemmPeak.MeasureOneThreadCpu"/>, blind to other processes taking the core) times the cores. The
    /// wall-clock measurement of both cores at once (<see cref="GemmPeak.Measure"/>) is reported too, but on this
    /// shared VM its best-of-5 can be far off either way: a pre-empted main thread starts its Stopwatch late.</summary>
    static double CpuPeak() => Environment.ProcessorCount * GemmPeak.MeasureOneThreadCpu();

    static string Machine()
    {
        string model = "?", family = "?", number = "?";
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length < 2) continue;
            if (parts[0] == "model name" && model == "?") model = parts[1];
            else if (parts[0] == "cpu family" && family == "?") family = parts[1];
            else if (parts[0] == "model" && number == "?") number = parts[1];
        }
        string simd = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : "AVX2";
        return $"{model} (CPU family {family}, model {number}), {Environment.ProcessorCount} cores, {simd}";
    }

    static string Table(List<Dictionary<string, object?>> rows, int rounds, double peak, double peakBefore, double peakAfter,
        string loadBefore, string loadAfter, double idle, double wallBefore, double wallAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# NativeCam vs ONNX Runtime, CPU (bench/vs-ort.sh {rounds})");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Machine()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; " +
            $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} (NuGet Microsoft.ML.OnnxRuntime, CPU execution provider, 2 intra-op threads, " +
            "sequential, ORT_ENABLE_ALL); NativeCam's SIMD CPU backend on the same 2 cores.");
        sb.AppendLine();
        sb.AppendLine($"Measured fp32 peak: {peakBefore:F0} GFLOP/s before the timings, {peakAfter:F0} after (one thread's Vector512 FMA chains per second " +
            $"of its own CPU time × {Environment.ProcessorCount} cores; the same chains timed by the wall clock on both cores at once: {wallBefore:F0} and " +
            $"{wallAfter:F0}, unreliable on the shared cores); % of peak below is of {peak:F0}. Load average (1/5/15 min) {loadBefore} before, {loadAfter} after (the 2 cores are shared with other work).");
        sb.AppendLine();
        sb.AppendLine($"Every work's two sides loaded in one process, one warm-up each; then {rounds} rounds, each running every work once per side " +
            "alternately (NativeCam, ORT, next work, ...), so load bursts on the shared cores fall on all works and both sides; medians. GFLOP/s = the forward's convolution, linear and attention-product FLOPs (bench/onnx/manifest.json, counted by " +
            "export_onnx.py) / median time. Peak RSS: each side and work alone in a child process (`ort-rss`: load, warm-up, one run, " +
            $"VmHWM); the bench process with neither side loaded peaks at {idle:F0} MiB.");
        sb.AppendLine();
        sb.AppendLine("| work | GFLOP | NativeCam ms | ORT ms | NativeCam / ORT | NativeCam GFLOP/s | % peak | ORT GFLOP/s | % peak | NativeCam peak RSS MiB | ORT peak RSS MiB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string work = (string)r["work"]!;
            double flops = (double)r["flops"]!, n = (double)r["nativecam_median_ms"]!, o = (double)r["ort_median_ms"]!;
            bool cam = work.EndsWith("detect_cam", StringComparison.Ordinal);
            string nRate = cam ? "—" : $"{flops / n / 1e6:F1}", nPct = cam ? "—" : $"{100 * flops / n / 1e6 / peak:F1}";
            sb.AppendLine($"| {work}{(cam ? $" (ORT: {OnnxModel(work)} forward alone)" : "")} | {flops / 1e9:F2} | {n:F1} | {o:F1} | {n / o:F2}× | {nRate} | {nPct} | " +
                $"{flops / o / 1e6:F1} | {100 * flops / o / 1e6 / peak:F1} | {r["nativecam_peak_rss_mib"]:F0} | {r["ort_peak_rss_mib"]:F0} |");
        }
        return sb.ToString();
    }

    // ---------------------------------------------------------------- peak RSS in a child process

    static double ChildRss(string side, string work)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        string host = Environment.ProcessPath!;
        psi.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(typeof(OrtBench).Assembly.Location);
        foreach (var a in new[] { "ort-rss", side, work }) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"ort-rss {side} {work} exited {child.ExitCode}");
        return double.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><c>ort-rss SIDE WORK</c> (SIDE = nativecam, ort or idle): loads the side, one warm-up and one run,
    /// prints the process's peak RSS (VmHWM) in MiB.</summary>
    public static void Rss(string side, string work)
    {
        string dir = OnnxDir();
        if (side == "nativecam")
        {
            using var native = OpenNative(work, dir);
            native.Run();
            native.Run();
        }
        else if (side == "ort")
        {
            using var ort = new OrtSide(dir, OnnxModel(work));
            ort.Run();
            ort.Run();
        }
        else if (side != "idle") throw new ArgumentException($"ort-rss: side {side} (expected nativecam, ort or idle)");
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        double kib = double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine((kib / 1024).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
    }
}
