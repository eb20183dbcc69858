using System.Text.Json;

namespace NativeCam.Tests.Cam.Faithfulness;

/// <summary>tests/fixtures/cam/metrics.json (tests/reference/metrics_reference.py: pytorch-grad-cam 1.5.5's own functions).</summary>
static class MetricsFixture
{
    static readonly Lazy<JsonElement> Root = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "cam", "metrics.json")));
        return doc.RootElement.Clone();
    });

    /// <summary>A top-level section: renormalize, box_score, classifier.</summary>
    public static JsonElement Section(string name) => Root.Value.GetProperty(name);

    public static FixtureArray Array(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray());

    public static float[] Floats(JsonElement e) => Array(e).Data.Select(v => (float)v).ToArray();

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
