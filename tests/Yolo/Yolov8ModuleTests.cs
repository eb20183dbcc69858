using System.Text.Json;
using NativeCam.Layers;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Ultralytics' C2f against the official module in float64 (forward, and the input gradient, which the generator
/// checks against finite differences with gradcheck), and the anchor-free decode (DFL over 16 bins, anchor points
/// at cell centres, dist2bbox, xywh → xyxy) against Detect's own DFL, make_anchors and dist2bbox
/// (tests/reference/yolov8_modules_reference.py). The decode is host arithmetic, not a differentiated op.
/// </summary>
public class Yolov8ModuleTests
{
    static readonly Lazy<JsonElement> Fixture = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "yolov8", "modules.json")));
        return doc.RootElement.Clone();
    });

    static int[] Shape(JsonElement a) => a.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
    static double[] Data(JsonElement a) => a.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Theory]
    [InlineData("c2f-shortcut")]
    [InlineData("c2f-plain")]
    public void C2fMatchesUltralyticsForwardAndBackward(string name)
    {
        var c = Fixture.Value.GetProperty("c2f").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var tensors = c.GetProperty("tensors").EnumerateObject()
            .Select(t => KeyValuePair.Create("b." + t.Name, new HostTensor(Data(t.Value).Select(v => (float)v).ToArray(), Shape(t.Value))));
        var modules = c.GetProperty("tensors").EnumerateObject().Where(t => t.Name.EndsWith(".bn.weight"))
            .ToDictionary(t => "b." + t.Name[..^".weight".Length], _ => new ModuleInfo("torch.nn.modules.batchnorm.BatchNorm2d", new Dictionary<string, object?> { ["eps"] = 1e-3 }));
        var weights = new StateDict(tensors);
        var ctx = new BuildContext(TestDevice.Default, weights, modules);
        using var block = new C2f(ctx, "b", c.GetProperty("c1").GetInt32(), c.GetProperty("c2").GetInt32(), c.GetProperty("n").GetInt32(), c.GetProperty("shortcut").GetBoolean());
        Assert.Empty(weights.Unused);
        var x = c.GetProperty("x");
        var r = OpRunner.Run(v => block.Forward(v[0]), [new(Data(x), Shape(x))], Data(c.GetProperty("gy")));
        var y = Data(c.GetProperty("y"));
        Check.Close(r.Output, y, $"{name} forward", 1e-4, 1e-4 * y.Max(Math.Abs));
        var gx = Data(c.GetProperty("gx"));
        Check.Close(r.Grads[0], gx, $"{name} input gradient", 1e-4, 1e-4 * gx.Max(Math.Abs));
    }

    [Fact]
    public void DecodeMatchesDflAndDist2Bbox()
    {
        var d = Fixture.Value.GetProperty("decode");
        var level = d.GetProperty("level");
        var shape = Shape(level);
        var data = Data(level).Select(v => (float)v).ToArray();
        int h = shape[2], w = shape[3];
        var expected = Data(d.GetProperty("boxes"));
        float stride = (float)d.GetProperty("stride").GetDouble();
        var got = new List<float>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var b = AnchorFreeDecoder.DecodeBox(data, 16, h * w, y, x, w, stride);
                got.AddRange([b.X1, b.Y1, b.X2, b.Y2]);
            }
        Check.Close(got.ToArray(), expected, "decoded boxes", 1e-5, 1e-4);
    }
}
