using System.Text.Json;
using NativeCam.Detectors;

namespace NativeCam.Tests.Detectors;

/// <summary>tests/fixtures/detectors/retina_tiny.* (tests/reference/retinanet_reference.py): the tiny RetinaNet, its config and torchvision's results on bus.jpg.</summary>
public static class RetinaFixture
{
    public static string StateDict => Path.Combine(DetectorFixture.Folder, "retina_tiny.pth");

    public static JsonElement Json { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(DetectorFixture.Folder, "retina_tiny.json"))).RootElement;

    /// <summary>The reference's small config (min 320, max 512, topk 40 per level, 100 detections).</summary>
    public static RetinaOptions Options
    {
        get
        {
            var c = Json.GetProperty("config");
            return new RetinaOptions
            {
                MinSize = c.GetProperty("min_size").GetInt32(),
                MaxSize = c.GetProperty("max_size").GetInt32(),
                TopkCandidates = c.GetProperty("topk_candidates").GetInt32(),
                DetectionsPerImage = c.GetProperty("detections_per_img").GetInt32(),
            };
        }
    }

    public static double[] Data(string name) => DetectorFixture.Data(Json.GetProperty(name));

    public static int[] Ints(string name) => Json.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>A list of lists of numbers (one per level).</summary>
    public static double[][] Rows(string name) => Json.GetProperty(name).EnumerateArray().Select(DetectorFixture.Data).ToArray();
}
