using System.Text.Json;
using NativeCam.Detectors;

namespace NativeCam.Tests.Detectors;

/// <summary>tests/fixtures/detectors/ (tests/reference/detectors_reference.py): the tiny Faster R-CNN, its config and torchvision's results on bus.jpg.</summary>
public static class DetectorFixture
{
    public static string Folder => Path.Combine(Fixtures.Folder, "detectors");

    public static string StateDict => Path.Combine(Folder, "frcnn_tiny.pth");

    public static string TrainingCheckpoint => Path.Combine(Folder, "frcnn_tiny_ckpt.pth");

    public static string Bus => Path.Combine(NativeCam.Tests.Weights.TestPaths.RepoRoot, "samples", "bus.jpg");

    public static JsonElement Json { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "frcnn_tiny.json"))).RootElement;

    /// <summary>The reference's small config (min 320, max 512, RPN top-n 60/24, 8 detections).</summary>
    public static RcnnOptions Options
    {
        get
        {
            var c = Json.GetProperty("config");
            return new RcnnOptions
            {
                MinSize = c.GetProperty("min_size").GetInt32(),
                MaxSize = c.GetProperty("max_size").GetInt32(),
                RpnPreNmsTopN = c.GetProperty("rpn_pre_nms_top_n").GetInt32(),
                RpnPostNmsTopN = c.GetProperty("rpn_post_nms_top_n").GetInt32(),
                DetectionsPerImage = c.GetProperty("detections_per_img").GetInt32(),
            };
        }
    }

    public static double[] Data(string name) => Data(Json.GetProperty(name));

    public static double[] Data(JsonElement array) =>
        (array.ValueKind == JsonValueKind.Array ? array : array.GetProperty("data")).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(string name) => Json.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>Key → shape of the full-size torchvision layouts (fasterrcnn_resnet50_fpn, its v2, retinanet_resnet50_fpn).</summary>
    public static Dictionary<string, int[]> Layout(string model)
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "layouts.json"))).RootElement.GetProperty(model);
        return doc.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
