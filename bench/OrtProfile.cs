using System.Text;
using System.Text.Json;

namespace NativeCam.Bench;

/// <summary>
/// <c>ort-profile [REPEATS] [--works a,b] [--top N] [--out FILE.md]</c>: where NativeCam loses time against ONNX
/// Runtime, per layer. Per forward work, NativeCam's per-op profiler (<see cref="Tensors.Device.Profile"/>, every
/// convolution keyed by its shape, "16→32 3x3/2 240x320": in→out channels, kernel, stride, groups, output W×H) and
/// ORT's own profiler (SessionOptions.EnableProfiling: every node's kernel time) over the same REPEATS runs after
/// one warm-up. ORT's nodes are grouped by the PyTorch module they were exported from (<c>/model.2/cv1/conv/Conv</c>
/// and <c>/model.2/cv1/act/Sigmoid</c>, <c>.../Mul</c> are model.2.cv1), so a convolution's group holds its
/// activation, as NativeCam's fused Conv2dActivation does; the other ops are compared per kind (Add, MaxPool,
/// Concat ↔ CopyChannels, Resize ↔ Upsample, ...); ORT's NCHWc layout pads channel counts to 16, so the shapes
/// are matched on padded counts (<see cref="Padded"/>) and a row may hold several NativeCam shapes.
/// Rows: the keys with the largest NativeCam − ORT time per pass.
/// Both profilers time each op alone (NativeCam waits after every call), so their totals exceed an unprofiled run.
/// </summary>
public static class OrtProfile
{
    public static void Run(string[] args)
    {
        int repeats = 5, top = 8;
        string[] works = ["yolov5n_forward", "yolov5s_forward", "resnet50_forward", "mobilenet_v2_forward", "vit_forward"];
        string? outFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--works" && i + 1 < args.Length) works = BenchDevice.Parse(args[++i]);
            else if (args[i] == "--top" && i + 1 < args.Length) top = int.Parse(args[++i]);
            else if (args[i] == "--out" && i + 1 < args.Length) outFile = args[++i];
            else repeats = int.Parse(args[i]);
        }
        var sb = new StringBuilder();
        sb.AppendLine($"Per-layer profiles (bench `ort-profile {repeats}`): ms per pass, mean of {repeats} profiled runs after a warm-up; " +
            $"load average {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} at the start.");
        foreach (var work in works)
        {
            var native = NativeProfile(work, repeats);
            var ort = OrtNodeProfile(work, repeats);
            // NativeCam's keys as ORT's NCHWc layout pads them (ORT's conv shapes are the padded ones)
            var shown = native.Keys.GroupBy(Padded).ToDictionary(g => g.Key, g => string.Join(", ", g));
            var nativePadded = native.GroupBy(kv => Padded(kv.Key)).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
            var keys = nativePadded.Keys.Union(ort.Keys).ToList();
            var rows = keys.Select(k => (Key: shown.GetValueOrDefault(k, k), N: nativePadded.GetValueOrDefault(k), O: ort.GetValueOrDefault(k)))
                .OrderByDescending(r => r.N - r.O).ToList();
            sb.AppendLine();
            sb.AppendLine($"**{work}**: NativeCam {native.Values.Sum():F1} ms in ops, ORT {ort.Values.Sum():F1} ms in nodes (profiled).");
            sb.AppendLine();
            sb.AppendLine("| layer (conv shape) or op kind | NativeCam ms | ORT ms | NativeCam − ORT ms |");
            sb.AppendLine("|---|---:|---:|---:|");
            foreach (var r in rows.Take(top))
                sb.AppendLine($"| {r.Key} | {r.N:F2} | {r.O:F2} | {r.N - r.O:+0.00;-0.00} |");
            Console.Error.WriteLine($"ort-profile: {work} done");
        }
        Console.WriteLine(sb.ToString());
        if (outFile != null) File.WriteAllText(outFile, sb.ToString());
    }

    /// <summary>NativeCam ops of one pass: "conv SHAPE" for convolutions (any activation fused), else the op kind.</summary>
    static Dictionary<string, double> NativeProfile(string work, int repeats)
    {
        using var side = OrtBench.OpenNativeSide(work);
        var profiler = side.Device.Profile();
        profiler.ConvShapes = true;
        side.Run();
        profiler.Reset();
        for (int i = 0; i < repeats; i++) side.Run();
        var result = new Dictionary<string, double>();
        foreach (var (op, _, ms) in profiler.Report())
        {
            int arrow = op.IndexOf('→');
            string key = arrow > 0 ? "conv " + op[(op.IndexOf(' ') + 1)..] : Kind(op);
            result[key] = result.GetValueOrDefault(key) + ms / repeats;
        }
        return result;
    }

    /// <summary>
    /// A NativeCam conv key with its channel counts as ORT's NCHWc layout transform pads them (to a multiple of 16,
    /// the AVX-512 block, for counts of 8 and more: Detect's 255 outputs become 256; the image's 3 channels stay),
    /// so that it meets the ORT node's key. Other keys unchanged.
    /// </summary>
    static string Padded(string key)
    {
        var m = System.Text.RegularExpressions.Regex.Match(key, @"^conv (\d+)→(\d+) (\S+?)( g(\d+))? (\S+)$");
        if (!m.Success) return key;
        static int Pad(string v) => int.Parse(v) is var c && c >= 8 ? (c + 15) / 16 * 16 : c;
        string groups = m.Groups[5].Success ? $" g{Pad(m.Groups[5].Value)}" : "";
        return $"conv {Pad(m.Groups[1].Value)}→{Pad(m.Groups[2].Value)} {m.Groups[3].Value}{groups} {m.Groups[6].Value}";
    }

    /// <summary>A comparable kind of a NativeCam backend op or an ORT op type.</summary>
    static string Kind(string op) => op switch
    {
        "Binary.Add" or "Add" => "Add",
        "Binary.Mul" or "Mul" => "Mul",
        "MaxPool2d" or "MaxPool" => "MaxPool",
        "CopyChannels" or "Concat" => "Concat (CopyChannels)",
        "Upsample" or "Resize" => "Resize (Upsample)",
        "Unary.Relu" or "Relu" => "Relu",
        "Unary.Silu" or "Sigmoid" => "SiLU / Sigmoid",
        "AdaptiveAvgPool2d" or "GlobalAveragePool" or "ReduceMean" => "mean / avg pool",
        "Unary.Gelu" or "Gelu" or "BiasGelu" or "FastGelu" => "GELU",
        "LayerNorm" or "LayerNormalization" or "SkipLayerNormalization" => "LayerNorm",
        "StridedCopy" or "Transpose" or "Split" or "Reshape" or "ReorderInput" or "ReorderOutput" or "Slice" or "Gather"
            => "copies (StridedCopy; Transpose, Split, Reshape, Reorder*, Slice, Gather)",
        "MatMul" or "FusedMatMul" or "Gemm" or "BatchedGemm" or "BatchedMatMul" => "MatMul / Gemm",
        _ when op.StartsWith("Gemm", StringComparison.Ordinal) || op.StartsWith("MatMul", StringComparison.Ordinal) => "MatMul / Gemm",
        _ => op,
    };

    /// <summary>ORT node kernel times of one pass, grouped as <see cref="Run"/> says.</summary>
    static Dictionary<string, double> OrtNodeProfile(string work, int repeats)
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"nativecam-ort-{Environment.ProcessId}");
        string trace;
        using (var ort = new OrtBench.OrtSide(OrtBench.OnnxDir(), OrtBench.OnnxModelOf(work), prefix))
        {
            ort.Run(); // its events are told apart below: only the last `repeats` runs of each node count
            for (int i = 0; i < repeats; i++) ort.Run();
            trace = ort.EndProfiling();
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(trace));
        if (Environment.GetEnvironmentVariable("NATIVECAM_KEEP_ORT_TRACE") != "1") File.Delete(trace);
        // per node: its durations in order (one per run) and its shapes
        var nodes = new Dictionary<string, (List<double> Us, string Op, JsonElement Args)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            name = name[..^"_kernel_time".Length];
            var args = e.GetProperty("args");
            if (!nodes.TryGetValue(name, out var n))
                nodes[name] = n = ([], args.GetProperty("op_name").GetString()!, args.Clone());
            n.Us.Add(e.GetProperty("dur").GetDouble());
        }
        // A node's module: its name's path less the trailing op parts (capitalised: Conv_output_0_nchwc, Mul,
        // QuickGeluFusion) and a last "conv"/"act"/"bn" (YOLOv5's Conv module: conv, bn, act). A module holding a
        // convolution takes all its nodes' time under the conv's key (its activation, as NativeCam fuses it);
        // other nodes count under their op kind.
        static string Module(string name)
        {
            var parts = name.TrimStart('/').Split('/').ToList();
            while (parts.Count > 1 && (parts[^1].Length == 0 || char.IsUpper(parts[^1][0]))) parts.RemoveAt(parts.Count - 1);
            if (parts.Count > 1 && parts[^1] is "conv" or "act" or "bn") parts.RemoveAt(parts.Count - 1);
            return string.Join('.', parts);
        }
        var convOf = new Dictionary<string, string>();
        foreach (var (name, (_, op, args)) in nodes)
            if (op is "Conv" or "FusedConv" && ConvKey(args) is { } key) convOf.TryAdd(Module(name), key);
        var result = new Dictionary<string, double>();
        foreach (var (name, (us, op, _)) in nodes)
        {
            double ms = us.Skip(us.Count - repeats).Sum() / 1000 / repeats;
            string key = convOf.GetValueOrDefault(Module(name)) ?? Kind(op);
            result[key] = result.GetValueOrDefault(key) + ms;
        }
        return result;
    }

    /// <summary>NativeCam's profiler key of an ORT Conv node: "conv 16→32 3x3/2 240x320" (output W×H).</summary>
    static string? ConvKey(JsonElement args)
    {
        if (!args.TryGetProperty("input_type_shape", out var inputs) || !args.TryGetProperty("output_type_shape", out var outputs))
            return null;
        static int[] Dims(JsonElement shape) => shape.EnumerateObject().First().Value.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int[] x = Dims(inputs[0]), w = Dims(inputs[1]), y = Dims(outputs[0]);
        int stride = (int)Math.Round((double)x[2] / y[2]), groups = x[1] / w[1];
        return $"conv {x[1]}→{y[1]} {w[2]}x{w[3]}/{stride}{(groups > 1 ? " g" + groups : "")} {y[3]}x{y[2]}";
    }
}
