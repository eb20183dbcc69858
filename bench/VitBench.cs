using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Bench;

/// <summary>
/// ViT-B/16 at 224 (12 blocks, 12 heads, width 768, 197 tokens) with seeded random weights on ILGPU's CPU
/// accelerator, one image: forward only, and forward + one backward sweep with K = 1 target (one class logit)
/// to the attention probabilities of all 12 blocks and blocks.11.norm1, what an attention explainer watches.
/// One pass takes seconds, so besides the BenchmarkDotNet suite there is a Stopwatch run:
/// `dotnet run -c Release --project bench -- vit [repeats]`.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class VitBench
{
    Device _device = null!;
    VitModel _model = null!;
    Tensor _input = null!;

    [GlobalSetup]
    public void Setup() => (_device, _model, _input) = Open();

    public static (Device, VitModel, Tensor) Open()
    {
        var device = Device.OpenCpu();
        var model = VitModel.Build(device, VitRandomWeights.Checkpoint(VitConfig.B16, seed: 1));
        var random = new Random(2);
        var pixels = new float[3 * 224 * 224];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(random.NextDouble() * 2 - 1);
        return (device, model, Tensor.FromArray(device, pixels, 1, 3, 224, 224));
    }

    [Benchmark]
    public void Forward() => Forward(_device, _model, _input);

    [Benchmark]
    public void ForwardBackward() => ForwardBackward(_device, _model, _input);

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

    /// <summary>Stopwatch timings of both passes: the first run, then <paramref name="repeats"/> more and their best.</summary>
    public static void Run(int repeats)
    {
        var (device, model, input) = Open();
        try
        {
            foreach (var (name, pass) in new (string, Action)[]
            {
                ("forward", () => Forward(device, model, input)),
                ("forward+backward (K=1, 13 watched)", () => ForwardBackward(device, model, input)),
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
