using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The builder on other YOLOv5 shapes than the bundled yolov5n: yolov5s widths (width_multiple 0.50) and a
/// 3-class model. Weights come from the closed-form formula of tests/reference/yolov5_synthetic_reference.py,
/// recomputed here, so no large checkpoint is committed; the expected Detect outputs are PyTorch's (float64).
/// </summary>
public class YoloArchitectureTests
{
    static Device D => TestDevice.Default;

    public static IEnumerable<object[]> Cases() => Load().Select(c => new object[] { c.GetProperty("label").GetString()! });

    static JsonElement[] Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(YoloFixture.Folder, "synthetic.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    /// <summary>The same formula as the Python script's <c>synthetic</c>.</summary>
    internal static float[] Synthetic(string name, int[] shape, int ordinal)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double wave = Math.Sin(0.37 * i + 1.3 * ordinal);
            v[i] = (float)(name.EndsWith("running_var") ? 1.0 + 0.5 * Math.Abs(wave)
                : name.EndsWith("running_mean") ? 0.05 * wave
                : name.EndsWith("bn.weight") ? 1.0 + 0.1 * wave
                : name.EndsWith("bias") ? 0.05 * wave
                : wave * Math.Sqrt(3.0 / (n / shape[0])));
        }
        return v;
    }

    /// <summary>JSON → the plain tree (maps, lists, strings, numbers, bools) a checkpoint's yaml arrives as.</summary>
    internal static object? Tree(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Tree(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(Tree).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    static YoloCheckpoint Checkpoint(JsonElement c)
    {
        var tensors = c.GetProperty("tensors").EnumerateArray().Select(t =>
        {
            var name = t.GetProperty("name").GetString()!;
            var shape = t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var data = name.EndsWith("anchors") ? new float[shape.Aggregate(1, (a, b) => a * b)] : Synthetic(name, shape, t.GetProperty("ordinal").GetInt32());
            return KeyValuePair.Create(name, new HostTensor(data, shape));
        });
        var modules = new Dictionary<string, ModuleInfo>();
        // Module records as a checkpoint carries them: YOLOv5 sets every BatchNorm's eps to 1e-3.
        foreach (var t in c.GetProperty("tensors").EnumerateArray())
        {
            var name = t.GetProperty("name").GetString()!;
            if (name.EndsWith(".bn.weight"))
                modules[name[..^".weight".Length]] = new ModuleInfo("torch.nn.modules.batchnorm.BatchNorm2d", new Dictionary<string, object?> { ["eps"] = 1e-3 });
        }
        return new YoloCheckpoint(YoloConfig.FromTree(Tree(c.GetProperty("config"))), new StateDict(tensors), modules, []);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DetectOutputsMatchPyTorch(string label)
    {
        var c = Load().Single(e => e.GetProperty("label").GetString() == label);
        using var model = YoloModel.Build(D, Checkpoint(c));
        var hw = c.GetProperty("input_hw").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var input = Enumerable.Range(0, 3 * hw[0] * hw[1]).Select(i => (float)(0.5 + 0.5 * Math.Sin(0.1 * i))).ToArray();
        using var x = Tensor.FromArray(D, input, 1, 3, hw[0], hw[1]);
        using var tape = new Tape();
        var outputs = model.Forward(Var.Input(x));
        var expected = c.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, outputs.Length);
        for (int level = 0; level < outputs.Length; level++)
        {
            var shape = expected[level].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var data = expected[level].GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
            Assert.Equal(shape, outputs[level].Shape);
            double scale = data.Max(Math.Abs);
            Check.Close(outputs[level].Value.ToArray(), data, $"{label} level {level}", 1e-4, 1e-4 * scale);
        }
        Assert.Equal(model.Config.Classes, model.ClassNames.Count);
    }

    [Fact]
    public void UnknownModuleStopsTheBuildWithItsLayerIndex()
    {
        var c = Load()[1];
        var tree = (Dictionary<string, object?>)Tree(c.GetProperty("config"))!;
        var head = (List<object?>)tree["head"]!;
        head[0] = new List<object?> { -1L, 1L, "MysteryBlock", new List<object?> { 512L } };
        var good = Checkpoint(c);
        var bad = good with { Config = YoloConfig.FromTree(tree) };
        var e = Assert.Throws<InvalidDataException>(() => YoloModel.Build(D, bad));
        Assert.Contains("layer 10: module 'MysteryBlock' is not supported", e.Message);
    }
}
