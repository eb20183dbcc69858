using System.Diagnostics;
using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// `dotnet run -c Release --project bench -- cam-profile [repeats] [backend]`: where the time of CamBench goes, measured
/// with Stopwatch after a warm-up (medians of the repeats): the forward layer by layer (synchronised after each),
/// the CAM request's phases, and the same with K separate sweeps.
/// </summary>
public static class CamProfile
{
    public static void Run(int repeats, string backend)
    {
        var bench = new CamBench { Backend = backend };
        bench.Setup();
        var (model, input, targets) = (bench.Model, bench.Input, bench.Targets);
        var device = input.Device;

        // Interleaved rounds (forward, one sweep, K sweeps, forward, ...): the machine is shared, so slow spells
        // hit all three alike; medians per variant.
        bench.Forward(); bench.ForwardGradCamOneSweep(); bench.ForwardGradCamKSweeps();
        var times = new List<double>[] { [], [], [] };
        Action[] variants = [bench.Forward, bench.ForwardGradCamOneSweep, bench.ForwardGradCamKSweeps];
        for (int r = 0; r < repeats; r++)
            for (int v = 0; v < 3; v++)
            {
                var sw = Stopwatch.StartNew();
                variants[v]();
                times[v].Add(sw.Elapsed.TotalMilliseconds);
            }
        double Median(List<double> t) { var c = t.Order().ToList(); return c[c.Count / 2]; }
        double forward = Median(times[0]), oneSweep = Median(times[1]), kSweeps = Median(times[2]);
        Console.WriteLine($"K = {targets.Count}; medians of {repeats} interleaved rounds");
        Console.WriteLine($"forward                          {forward,9:F1} ms   (all: {string.Join(" ", times[0].Select(t => t.ToString("F0")))})");
        Console.WriteLine($"forward + Grad-CAM, one K-sweep  {oneSweep,9:F1} ms   CAM part = {(oneSweep - forward) / forward:F2} forwards   (all: {string.Join(" ", times[1].Select(t => t.ToString("F0")))})");
        Console.WriteLine($"forward + Grad-CAM, K sweeps     {kSweeps,9:F1} ms   CAM part = {(kSweeps - forward) / forward:F2} forwards   (all: {string.Join(" ", times[2].Select(t => t.ToString("F0")))})");
        Console.WriteLine($"one sweep vs K sweeps (CAM part) speed-up {(kSweeps - forward) / (oneSweep - forward):F2}x");

        // Forward per layer (synchronised after each layer, so launches do not overlap across layers).
        var perLayer = new double[model.Layers.Count];
        for (int r = 0; r <= repeats; r++)
        {
            using var tape = new Tape();
            var outputs = new List<Var>();
            var x = Var.Input(input);
            foreach (var layer in model.Layers)
            {
                var sw = Stopwatch.StartNew();
                Var Input(int from) => from == -1 ? x : outputs[from < 0 ? outputs.Count + from : from];
                if (layer.Module is Detect d) d.Forward(layer.From.Select(Input).ToArray());
                else x = layer.Type == "Concat" ? Ops.Concat(layer.From.Select(Input).ToArray()) : layer.Module!.Forward(Input(layer.From[0]));
                device.Synchronize();
                if (r > 0) perLayer[layer.Index] += sw.Elapsed.TotalMilliseconds / repeats;
                outputs.Add(x);
            }
        }
        Console.WriteLine("forward by layer (mean ms): " + string.Join(", ", model.Layers.Select(l => $"{l.Index}:{l.Type} {perLayer[l.Index]:F1}")));
        Console.WriteLine($"  layers 0-16 (not differentiated by CAM at model.17+): {perLayer.Take(17).Sum():F1} ms; 17-24: {perLayer.Skip(17).Sum():F1} ms");

        // The CAM request's phases.
        double watchedForward = 0, backward = 0, backwardOne = 0, maps = 0;
        var kernels = CamKernels.For(device);
        string[] layers = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"];
        for (int r = 0; r <= repeats; r++)
        {
            using var tape = new Tape();
            tape.Watch(layers);
            var sw = Stopwatch.StartNew();
            var outs = model.Forward(Var.Input(input));
            device.Synchronize();
            double t1 = sw.Elapsed.TotalMilliseconds;
            int k = targets.Count, no = model.Head.Classes + 5;
            var seeds = outs.Where((o, level) => targets.Items.Any(t => t.Level == level)).Select(o =>
            {
                int level = Array.IndexOf(outs, o);
                var host = new float[k * o.Value.Length];
                for (int i = 0; i < k; i++)
                {
                    var t = targets.Items[i];
                    if (t.Level == level) host[i * o.Value.Length + ((t.Anchor * no + 5 + t.ClassId) * o.Shape[2] + t.GridY) * o.Shape[3] + t.GridX] = 1;
                }
                return (o, Tensor.FromArray(device, host, [k, .. o.Shape]));
            }).ToList();
            // One target's backward (the slices of target 0), then all K: the K-sweep's cost per target.
            var oneSeeds = seeds.Select(p => (p.Item1, p.Item2.Slice(0, [1, .. p.Item1.Shape]))).ToList();
            sw.Restart();
            tape.Backward(oneSeeds);
            device.Synchronize();
            if (r > 0) backwardOne += sw.Elapsed.TotalMilliseconds / repeats;
            foreach (var (_, t) in oneSeeds) t.Dispose();
            sw.Restart();
            tape.Backward(seeds);
            device.Synchronize();
            double t2 = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            foreach (var layer in layers)
            {
                var v = tape.Find(layer)!;
                using var w = Tensor.Empty(device, k, v.Shape[1]);
                using var map = Tensor.Empty(device, k, v.Shape[2], v.Shape[3]);
                kernels.ChannelWeights(CamMethod.GradCam, v.Value, v.Grad!, w, 0);
                kernels.WeightedSum(v.Value, w, map);
            }
            device.Synchronize();
            double t3 = sw.Elapsed.TotalMilliseconds;
            foreach (var (_, s) in seeds) s.Dispose();
            if (r == 0) continue;
            watchedForward += t1 / repeats;
            backward += t2 / repeats;
            maps += t3 / repeats;
        }
        Console.WriteLine($"CAM phases (mean ms): watched forward {watchedForward:F1}, K-target backward {backward:F1} (one target: {backwardOne:F1}), Grad-CAM maps {maps:F2}");
        ConvTable(device, targets.Count, repeats);
        bench.Cleanup();
    }

    /// <summary>
    /// The convs a CAM backward from levels 1-2 to model.17 runs at 640×480 (yolov5n: layer 18 and the head
    /// above it), each timed alone: forward (one image) against input gradient (K targets).
    /// </summary>
    static void ConvTable(Device device, int k, int repeats)
    {
        (string Name, int Cin, int Cout, int Kernel, int Stride, int H, int W)[] convs =
        [
            ("18 (3x3 s2)", 64, 64, 3, 2, 60, 80),
            ("20.cv1/cv2 (1x1)", 128, 64, 1, 1, 30, 40),
            ("20.m.0.cv1 (1x1)", 64, 64, 1, 1, 30, 40),
            ("20.m.0.cv2 (3x3)", 64, 64, 3, 1, 30, 40),
            ("20.cv3 (1x1)", 128, 128, 1, 1, 30, 40),
            ("21 (3x3 s2)", 128, 128, 3, 2, 30, 40),
            ("23.cv1/cv2 (1x1)", 256, 128, 1, 1, 15, 20),
            ("23.m.0.cv1 (1x1)", 128, 128, 1, 1, 15, 20),
            ("23.m.0.cv2 (3x3)", 128, 128, 3, 1, 15, 20),
            ("23.cv3 (1x1)", 256, 256, 1, 1, 15, 20),
            ("24.m.1 (1x1)", 128, 255, 1, 1, 30, 40),
            ("24.m.2 (1x1)", 256, 255, 1, 1, 15, 20),
        ];
        var rng = new Random(1);
        Tensor Random(params int[] shape)
        {
            var data = new float[Tensor.ShapeLength(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            return Tensor.FromArray(device, data, shape);
        }
        double Time(Action a)
        {
            a();
            device.Synchronize();
            var t = new List<double>();
            for (int r = 0; r < Math.Max(3, repeats); r++)
            {
                var sw = Stopwatch.StartNew();
                a();
                device.Synchronize();
                t.Add(sw.Elapsed.TotalMilliseconds);
            }
            t.Sort();
            return t[t.Count / 2];
        }
        Console.WriteLine($"conv kernels on the CAM backward path (median ms): forward N=1 | input gradient K={k} | ratio per target");
        double totalF = 0, totalB = 0;
        foreach (var c in convs)
        {
            int oh = (c.H + 2 * (c.Kernel / 2) - c.Kernel) / c.Stride + 1, ow = (c.W + 2 * (c.Kernel / 2) - c.Kernel) / c.Stride + 1;
            var g = new ConvGeometry(c.Stride, c.Stride, c.Kernel / 2, c.Kernel / 2);
            using var x = Random(1, c.Cin, c.H, c.W);
            using var w = Random(c.Cout, c.Cin, c.Kernel, c.Kernel);
            using var y = Tensor.Empty(device, 1, c.Cout, oh, ow);
            using var gy = Random(k, c.Cout, oh, ow);
            using var gx = Tensor.Empty(device, k, c.Cin, c.H, c.W);
            double f = Time(() => device.Backend.Conv2d(x, w, null, y, g));
            double b = Time(() => device.Backend.Conv2dBackwardInput(gy, w, gx, g));
            int times = c.Name.Contains("cv1/cv2") ? 2 : 1;
            totalF += times * f;
            totalB += times * b;
            Console.WriteLine($"  {c.Name,-18} {f,8:F2} | {b,8:F2} | {b / k / f,5:F2}{(times > 1 ? "  (x2)" : "")}");
        }
        Console.WriteLine($"  total              {totalF,8:F2} | {totalB,8:F2} | {totalB / k / totalF,5:F2}");
    }
}
