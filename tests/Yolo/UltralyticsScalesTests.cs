using System.Text.Json;
using NativeCam.Layers;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// yolov8.yaml and yolo11.yaml at every official scale: the builder takes exactly the tensors, with exactly the
/// shapes, that Ultralytics' parse_model makes (tests/reference/ultralytics_scales_reference.py; weights are zeros:
/// this checks widths, depths, max_channels, C3k2's forced c3k at m/l/x and the Detect variant key for key).
/// </summary>
public class UltralyticsScalesTests
{
    static readonly Lazy<JsonElement> Scales = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "yolo11", "scales.json")));
        return doc.RootElement.Clone();
    });

    static object? Tree(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Tree(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(Tree).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out long l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    [Theory]
    [InlineData("yolov8n")]
    [InlineData("yolov8s")]
    [InlineData("yolov8m")]
    [InlineData("yolov8l")]
    [InlineData("yolov8x")]
    [InlineData("yolo11n")]
    [InlineData("yolo11s")]
    [InlineData("yolo11m")]
    [InlineData("yolo11l")]
    [InlineData("yolo11x")]
    public void EveryScaleBuildsKeyForKey(string name)
    {
        var entry = Scales.Value.GetProperty(name);
        var tensors = entry.GetProperty("tensors").EnumerateArray().Select(t =>
        {
            var shape = t[1].EnumerateArray().Select(v => v.GetInt32()).ToArray();
            return KeyValuePair.Create(t[0].GetString()!, new HostTensor(new float[shape.Aggregate(1, (a, b) => a * b)], shape));
        }).ToList();
        var weights = new StateDict(tensors);
        var cfg = Yolov8Config.FromTree(Tree(entry.GetProperty("yaml")));
        using var model = Yolov8Model.Build(TestDevice.Default, cfg, weights, new Dictionary<string, ModuleInfo>(), []);
        Assert.Empty(weights.Unused);
        Assert.Equal(80, model.Head.Classes);
    }
}
