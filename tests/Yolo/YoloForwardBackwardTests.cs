using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The official yolov5n against our PyTorch reference (tests/reference/yolov5_reference.py) on a fixed
/// 160×128 letterboxed input: raw Detect outputs, and gradients of three class logits (one per level, all in
/// one K = 3 sweep) at model.17/20/23.cv3.act. Tolerance: 1e-4 of each tensor's largest magnitude, the
/// float32 error budget of a 25-layer network (values and gradients span several orders of magnitude).
/// </summary>
public class YoloForwardBackwardTests
{
    static Device D => TestDevice.Default;

    static void CloseToScale(float[] actual, float[] expected, string what, double rel = 1e-4)
    {
        double scale = expected.Max(v => Math.Abs((double)v));
        Check.Close(actual, expected, what, rel, rel * scale);
    }

    [Fact]
    public void RawDetectOutputsAndLayerGradientsMatchPyTorch()
    {
        using var model = YoloModel.Build(D, YoloCheckpoint.Load(YoloFixture.Weights));
        var (input, shape) = YoloFixture.Array("yolov5n_input");
        using var x = Tensor.FromArray(D, input, shape);
        var meta = YoloFixture.Meta();
        var layers = meta.GetProperty("layers").EnumerateArray().Select(e => e.GetString()!).ToArray();

        using var tape = new Tape();
        tape.Watch(layers);
        var outputs = model.Forward(Var.Input(x));
        for (int level = 0; level < 3; level++)
        {
            var (expected, expectedShape) = YoloFixture.Array($"yolov5n_detect{level}");
            Assert.Equal(expectedShape, outputs[level].Shape);
            CloseToScale(outputs[level].Value.ToArray(), expected, $"Detect level {level}");
        }

        // K = 3 targets, one per level: seed 1 at (channel, y, x) of target k's level, zero elsewhere.
        var targets = meta.GetProperty("targets").EnumerateArray().ToArray();
        int k = targets.Length;
        var seeds = new List<(Var, Tensor)>();
        for (int level = 0; level < 3; level++)
        {
            var o = outputs[level];
            var seed = new float[k * o.Value.Length];
            for (int t = 0; t < k; t++)
            {
                var target = targets[t];
                if (target.GetProperty("level").GetInt32() != level) continue;
                int c = target.GetProperty("channel").GetInt32(), y = target.GetProperty("y").GetInt32(), xx = target.GetProperty("x").GetInt32();
                seed[t * o.Value.Length + (c * o.Shape[2] + y) * o.Shape[3] + xx] = 1f;
            }
            seeds.Add((o, Tensor.FromArray(D, seed, [k, .. o.Shape])));
        }
        tape.Backward(seeds);
        foreach (var (_, s) in seeds) s.Dispose();

        foreach (var layer in layers)
        {
            var act = tape.Find(layer) ?? throw new Xunit.Sdk.XunitException($"layer {layer} was not named");
            var grad = act.Grad!.ToArray();
            int n = act.Value.Length;
            for (int t = 0; t < k; t++)
            {
                var (expected, _) = YoloFixture.Array($"yolov5n_grad{t}_{layer.Replace('.', '_')}");
                var slice = grad.AsSpan(t * n, n).ToArray();
                if (expected.All(v => v == 0)) Assert.All(slice, v => Assert.Equal(0f, v)); // no path from this layer to the target's level
                else CloseToScale(slice, expected, $"target {t} gradient at {layer}");
            }
            var (activation, _) = YoloFixture.Array($"yolov5n_act_{layer.Replace('.', '_')}");
            CloseToScale(act.Value.ToArray(), activation, $"activation {layer}");
        }
    }

    [Fact]
    public void UnderscoreLayerNamesAreAccepted()
    {
        Assert.Equal("model.17.cv3.act", YoloModel.NormalizeLayerName("model_17_cv3_act"));
        Assert.Equal("model.23", YoloModel.NormalizeLayerName("model.23"));
    }
}
