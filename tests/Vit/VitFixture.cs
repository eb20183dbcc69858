using System.Text.Json;

namespace NativeCam.Tests.Vit;

/// <summary>tests/fixtures/vit/vit_small.json and the two state dicts, written by tests/reference/vit_reference.py.</summary>
public sealed class VitFixture
{
    public static string Folder => Path.Combine(Fixtures.Folder, "vit");
    public static string Timm => Path.Combine(Folder, "vit_small_timm.pt");
    public static string Torchvision => Path.Combine(Folder, "vit_small_torchvision.pt");

    public required JsonElement Config { get; init; }
    public required int[] Targets { get; init; }
    public required FixtureArray Input { get; init; }
    public required FixtureArray Logits { get; init; }
    public required Dictionary<string, FixtureArray> Activations { get; init; }
    public required Dictionary<string, FixtureArray> Grads { get; init; }

    static readonly Lazy<VitFixture> _small = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "vit_small.json")));
        var root = doc.RootElement;
        return new VitFixture
        {
            Config = root.GetProperty("config").Clone(),
            Targets = root.GetProperty("targets").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Input = Array(root.GetProperty("input")),
            Logits = Array(root.GetProperty("logits")),
            Activations = root.GetProperty("activations").EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value)),
            Grads = root.GetProperty("grads").EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value)),
        };
    });

    public static VitFixture Small => _small.Value;

    public int ConfigInt(string name) => Config.GetProperty(name).GetInt32();

    static FixtureArray Array(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray());
}
