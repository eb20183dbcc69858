using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Every block the builder supports, against our PyTorch reference (tests/reference/yolov5_reference.py) on
/// two small custom yamls (tests/reference/yolov5_blocks_reference.py): blocks-a has Focus, SPP, a
/// stride-2 GhostBottleneck, a repeated Conv row, DWConv, C3x, GhostConv, BottleneckCSP, C3Ghost and
/// DWConvTranspose2d; blocks-b has a repeated Bottleneck row, CrossConv, SPPF, an act=False Conv, an s=1
/// GhostBottleneck and 2 anchors per level. Weights are the closed-form synthetic ones of
/// <see cref="YoloArchitectureTests"/>; the fixture holds names, shapes, outputs and gradients (float64).
/// Tolerance: 1e-4 of each tensor's largest magnitude, as in <see cref="YoloForwardBackwardTests"/>.
/// </summary>
public class YoloBlockTests
{
    static Device D => TestDevice.Default;

    static readonly Lazy<JsonElement[]> _cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(YoloFixture.Folder, "blocks.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    static JsonElement Case(string label) => _cases.Value.Single(c => c.GetProperty("label").GetString() == label);

    /// <summary>Each variant with the checkpoint's activation records, and without them (the builder's defaults).</summary>
    public static IEnumerable<object[]> Cases() => _cases.Value
        .SelectMany(c => new[] { true, false }.Select(records => new object[] { c.GetProperty("label").GetString()!, records }));

    static int[] Shape(JsonElement a) => a.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
    static double[] Data(JsonElement a) => a.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();

    static void CloseToScale(ReadOnlySpan<float> actual, double[] expected, string what)
    {
        double scale = expected.Max(Math.Abs);
        Check.Close(actual, expected, what, 1e-4, 1e-4 * scale);
    }

    /// <summary>
    /// The synthetic checkpoint with module records as a real one carries them: every BatchNorm's eps (1e-3),
    /// and, when <paramref name="activationRecords"/>, the class of every activation module (SiLU, or
    /// nn.Identity where the block was built with act=False).
    /// </summary>
    static YoloCheckpoint Checkpoint(JsonElement c, bool activationRecords, params string[] extraTensors)
    {
        var tensors = c.GetProperty("tensors").EnumerateArray().Select(t =>
        {
            var name = t.GetProperty("name").GetString()!;
            var shape = Shape(t);
            var data = name.EndsWith("anchors") ? new float[shape.Aggregate(1, (a, b) => a * b)]
                : YoloArchitectureTests.Synthetic(name, shape, t.GetProperty("ordinal").GetInt32());
            return KeyValuePair.Create(name, new HostTensor(data, shape));
        }).Concat(extraTensors.Select(name => KeyValuePair.Create(name, new HostTensor(new float[4], [4]))));
        var modules = new Dictionary<string, ModuleInfo>();
        foreach (var t in c.GetProperty("tensors").EnumerateArray())
        {
            var name = t.GetProperty("name").GetString()!;
            if (name.EndsWith("bn.weight"))
                modules[name[..^".weight".Length]] = new ModuleInfo("torch.nn.modules.batchnorm.BatchNorm2d", new Dictionary<string, object?> { ["eps"] = 1e-3 });
        }
        if (activationRecords)
            foreach (var a in c.GetProperty("activations").EnumerateObject())
            {
                var cls = a.Value.GetString() switch
                {
                    "SiLU" => "torch.nn.modules.activation.SiLU",
                    "Identity" => "torch.nn.modules.linear.Identity",
                    var other => throw new InvalidDataException($"fixture activation class {other}"),
                };
                modules[a.Name] = new ModuleInfo(cls, new Dictionary<string, object?>());
            }
        var config = YoloConfig.FromTree(YoloArchitectureTests.Tree(c.GetProperty("config")));
        return new YoloCheckpoint(config, new StateDict(tensors), modules, []);
    }

    static Tensor Input(JsonElement c)
    {
        var hw = c.GetProperty("input_hw").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var input = Enumerable.Range(0, 3 * hw[0] * hw[1]).Select(i => (float)(0.5 + 0.5 * Math.Sin(0.1 * i))).ToArray();
        return Tensor.FromArray(D, input, 1, 3, hw[0], hw[1]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DetectOutputsAndInnerLayerGradientsMatchPyTorch(string label, bool activationRecords)
    {
        var c = Case(label);
        using var model = YoloModel.Build(D, Checkpoint(c, activationRecords));
        using var x = Input(c);
        var layers = c.GetProperty("layers").EnumerateArray().ToArray();
        var layerNames = layers.Select(l => l.GetProperty("name").GetString()!).ToArray();

        using var tape = new Tape();
        tape.Watch(layerNames);
        var outputs = model.Forward(Var.Input(x));
        var expected = c.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, outputs.Length);
        for (int level = 0; level < outputs.Length; level++)
        {
            Assert.Equal(Shape(expected[level]), outputs[level].Shape);
            CloseToScale(outputs[level].Value.ToArray(), Data(expected[level]), $"{label} Detect level {level}");
        }

        // Every activation module PyTorch has at {block}.act is a named value here (same paths as module hooks).
        foreach (var a in c.GetProperty("activations").EnumerateObject().Where(a => a.Name.EndsWith(".act")))
            Assert.True(tape.Find(a.Name) != null, $"{label}: {a.Name} is not named on the tape");

        // K = 2 targets in one sweep: a class logit on the first level and one on the last; other levels seed zero.
        var targets = c.GetProperty("targets").EnumerateArray().ToArray();
        int k = targets.Length;
        var seeds = new List<(Var, Tensor)>();
        for (int level = 0; level < outputs.Length; level++)
        {
            var o = outputs[level];
            var seed = new float[k * o.Value.Length];
            for (int t = 0; t < k; t++)
            {
                if (targets[t].GetProperty("level").GetInt32() != level) continue;
                int ch = targets[t].GetProperty("channel").GetInt32(), y = targets[t].GetProperty("y").GetInt32(), xx = targets[t].GetProperty("x").GetInt32();
                seed[t * o.Value.Length + (ch * o.Shape[2] + y) * o.Shape[3] + xx] = 1f;
            }
            seeds.Add((o, Tensor.FromArray(D, seed, [k, .. o.Shape])));
        }
        tape.Backward(seeds);
        foreach (var (_, s) in seeds) s.Dispose();

        foreach (var layer in layers)
        {
            var name = layer.GetProperty("name").GetString()!;
            var v = tape.Find(name) ?? throw new Xunit.Sdk.XunitException($"{label}: layer {name} was not named");
            Assert.Equal(Shape(layer.GetProperty("value")), v.Shape);
            CloseToScale(v.Value.ToArray(), Data(layer.GetProperty("value")), $"{label} activation {name}");
            var grad = v.Grad!.ToArray();
            var expectedGrad = Data(layer.GetProperty("grad"));
            Assert.Equal(expectedGrad.Length, grad.Length);
            int n = v.Value.Length;
            for (int t = 0; t < k; t++)
                CloseToScale(grad.AsSpan(t * n, n), expectedGrad.AsSpan(t * n, n).ToArray(), $"{label} target {t} gradient at {name}");
        }
    }

    [Fact]
    public void LayerTableFollowsTheYaml()
    {
        using var model = YoloModel.Build(D, Checkpoint(Case("blocks-a"), true));
        Assert.Equal(new[] { "Focus", "Conv", "SPP", "GhostBottleneck", "Conv", "DWConv", "C3x", "GhostConv", "BottleneckCSP", "C3Ghost",
            "Conv", "DWConvTranspose2d", "Concat", "C3", "Conv", "Upsample", "Concat", "C3", "Conv", "Concat", "C3", "Conv", "Concat", "C3", "Detect" },
            model.Layers.Select(l => l.Type));
        Assert.Equal(24, model.Layers[11].OutChannels); // 96 · 0.25
        Assert.Equal(56, model.Layers[12].OutChannels); // 24 + 32
        Assert.Equal((2, 3), (model.Head.Classes, model.Head.AnchorsPerLevel));
        using var b = YoloModel.Build(D, Checkpoint(Case("blocks-b"), true));
        Assert.Equal((1, 2, 3), (b.Head.Classes, b.Head.AnchorsPerLevel, b.Head.Levels));
    }

    [Fact]
    public void UnusedCheckpointTensorsFailTheBuildWithTheirNames()
    {
        var c = Case("blocks-b");
        var e = Assert.Throws<InvalidDataException>(() =>
            YoloModel.Build(D, Checkpoint(c, true, "model.4.cv3.conv.weight", "model.23.m.3.bias")));
        Assert.Contains("not used by the network", e.Message);
        Assert.Contains("model.4.cv3.conv.weight", e.Message);
        Assert.Contains("model.23.m.3.bias", e.Message);
    }

    /// <summary>Arguments the builder does not implement stop the build rather than run a different network.</summary>
    [Theory]
    [InlineData(12, "Concat", 0, "layer 12: Concat along dimension 0 is not supported")]
    [InlineData(15, "nn.Upsample", 2, "layer 15: Upsample mode 'bilinear' is not supported")]
    public void UnsupportedArgumentsStopTheBuild(int layer, string module, int argument, string message)
    {
        var c = Case("blocks-a");
        var tree = (Dictionary<string, object?>)YoloArchitectureTests.Tree(c.GetProperty("config"))!;
        var row = (List<object?>)((List<object?>)tree["head"]!)[layer - 10]!;
        Assert.Equal(module, row[2]);
        ((List<object?>)row[3]!)[argument] = argument == 0 ? 0L : "bilinear";
        var bad = Checkpoint(c, true) with { Config = YoloConfig.FromTree(tree) };
        var e = Assert.Throws<InvalidDataException>(() => YoloModel.Build(D, bad));
        Assert.Contains(message, e.Message);
    }
}
