using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Bench;

/// <summary>
/// ViT-B/16 at 224 (12 blocks, 12 heads, width 768, 197 tokens) with seeded random weights, one image, per backend
/// (<see cref="BenchDevice"/>): forward only; forward + one backward sweep with K = 1 target (one class logit) to the
/// attention probabilities of all 12 blocks and blocks.11.norm1, what an attention explainer watches; and forward +
/// full backward (every weight's gradient too, as a training step or PyTorch's <c>logit.backward()</c> computes).
/// One pass takes seconds, so besides the BenchmarkDotNet suite there is a Stopwatch run:
/// `dotnet run -c Release --project bench -- vit [repeats] [devices]`.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class VitBench
{
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Backends() => BenchDevice.Names();

    Device _device = null!;
    VitModel _model = null!;
    Tensor _input = null!;

    [GlobalSetup]
    public void Setup() => (_device, _model, _input) = Open(Backend);

    public static (Device, VitModel, Tensor) Open(string backend)
    {
        var device = BenchDevice.Open(backend);
        var (model, input) = Build(device);
        return (device, model, input);
    }

    /// <summary>ViT-B/16 with weights of seed 1 and a fixed random image in [-1, 1).</summary>
    public static (VitModel Model, Tensor Input) Build(Device device)
    {
        var model = VitModel.Build(device, VitRandomWeights.Checkpoint(VitConfig.B16, seed: 1));
        var random = new Random(2);
        var pixels = new float[3 * 224 * 224];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(random.NextDouble() * 2 - 1);
        return (model, Tensor.FromArray(device, pixels, 1, 3, 224, 224));
    }

    [Benchmark]
    public void Forward() => Forward(_device, _model, _input);

    [Benchmark]
    public void ForwardBackward() => ForwardBackward(_device, _model, _input);

    [Benchmark]
    public void ForwardFullBackward() => ForwardFullBackward(_device, _model, _input);

    public static void Forward(Device device, VitModel model, Tensor input)
    {
        using var tape = new Tape();
        model.Forward(Var.Input(input));
        device.Synchronize();
    }

    public static void ForwardBackward(Device device, VitModel model, Tensor input)
    {
        using var tape = new Tape();
        tape.Watch([.. model.AttentionNames, "blocks.11.norm1"]);
        var logits = model.Forward(Var.Input(input));
        var seed = new float[logits.Value.Length];
        seed[281] = 1f;
        using var g = Tensor.FromArray(device, seed, logits.Shape);
        tape.Backward(logits, g);
        device.Synchronize();
    }

    /// <summary>
    /// Forward, then backward of one class logit with every parameter's gradient computed (as PyTorch's
    /// <c>model(x)[0, c].backward()</c> with <c>requires_grad</c> weights); the gradients of the previous call are
    /// dropped first (<c>zero_grad(set_to_none=True)</c>), and the weights need no gradient again afterwards.
    /// </summary>
    public static void ForwardFullBackward(Device device, VitModel model, Tensor input)
    {
        var parameters = model.Parameters().ToList();
        foreach (var p in parameters) p.SetRequiresGrad(true);
        try
        {
            using var tape = new Tape();
            var logits = model.Forward(Var.Input(input));
            var seed = new float[logits.Value.Length];
            seed[207] = 1f;
            using var g = Tensor.FromArray(device, seed, logits.Shape);
            tape.Backward(logits, g);
            device.Synchronize();
        }
        finally
        {
            foreach (var p in parameters) p.SetRequiresGrad(false);
        }
    }

    /// <summary>Stopwatch timings of the three passes: the first run, then <paramref name="repeats"/> more and their best.</summary>
    public static void Run(int repeats, string backend)
    {
        var (device, model, input) = Open(backend);
        Console.WriteLine(device.Description);
        try
        {
            foreach (var (name, pass) in new (string, Action)[]
            {
                ("forward", () => Forward(device, model, input)),
                ("forward+backward (K=1, 13 watched)", () => ForwardBackward(device, model, input)),
                ("forward+full backward (all weight gradients)", () => ForwardFullBackward(device, model, input)),
            })
            {
                var times = new List<double>();
                long weights = device.Pool.LiveBytes;
                device.Pool.ResetPeak();
                for (int i = 0; i <= repeats; i++)
                {
                    var sw = Stopwatch.StartNew();
                    pass();
                    times.Add(sw.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"ViT-B/16 224 {name}: first {times[0]:F2} s, then " +
                    $"{string.Join(", ", times.Skip(1).Select(t => $"{t:F2}"))} s (best {times.Skip(1).DefaultIfEmpty(times[0]).Min():F2} s); " +
                    $"peak device memory {device.Pool.PeakBytes / 1048576.0:F0} MiB (weights and input {weights / 1048576.0:F0} MiB)");
            }
        }
        finally
        {
            input.Dispose();
            model.Dispose();
            device.Dispose();
        }
    }
}
