using System.Text.Json;

namespace NativeCam.Tests.Classifiers;

/// <summary>One model of tests/fixtures/classifiers/ (tests/reference/classifiers_reference.py): its state dict, the
/// facts its architecture must be inferred as, input, logits, and pytorch-grad-cam's maps per case.</summary>
public sealed record ClassifierFixture(string Name, JsonElement Facts, int Classes, FixtureArray Input, FixtureArray Logits,
    IReadOnlyList<ClassifierCamCase> Cases, IReadOnlyDictionary<string, ClassifierMethodCase> Methods)
{
    public static string Folder => Path.Combine(Fixtures.Folder, "classifiers");

    public string Weights => Path.Combine(Folder, Name + ".pt");

    public static readonly string[] Names = ["resnet_basic", "resnext_bottleneck", "vgg_small", "vgg_small_bn", "densenet_small", "mobilenet_v2_025",
        "mobilenet_v3_small", "mobilenet_v3_large", "shufflenet_small", "squeezenet1_0_small", "squeezenet1_1_small", "alexnet_small",
        "efficientnet_small", "convnext_small_cfg"];

    public static ClassifierFixture Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new ClassifierCamCase(
            c.GetProperty("layers").EnumerateArray().Select(l => l.GetString()!).ToArray(),
            c.GetProperty("classes").EnumerateArray().Select(l => l.GetInt32()).ToArray(),
            c.GetProperty("raw").EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value)),
            Array(c.GetProperty("final")))).ToList();
        var methods = root.GetProperty("methods").EnumerateObject().ToDictionary(m => m.Name, m => new ClassifierMethodCase(
            m.Value.GetProperty("layers").EnumerateArray().Select(l => l.GetString()!).ToArray(),
            m.Value.GetProperty("classes").EnumerateArray().Select(l => l.GetInt32()).ToArray(),
            m.Value.GetProperty("raw").EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value))));
        return new ClassifierFixture(name, root.GetProperty("facts").Clone(), root.GetProperty("classes").GetInt32(),
            Array(root.GetProperty("input")), Array(root.GetProperty("logits")), cases, methods);
    }

    static FixtureArray Array(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray());
}

/// <summary>Layers watched together and K classes explained in one sweep; raw maps [K, h, w] per layer and the final maps [K, H, W].</summary>
public sealed record ClassifierCamCase(string[] Layers, int[] Classes, Dictionary<string, FixtureArray> Raw, FixtureArray Final);

/// <summary>Another method (<c>gradcam-elementwise</c>, <c>cam</c>) at the first case's layers: raw maps [K, h, w] per layer.</summary>
public sealed record ClassifierMethodCase(string[] Layers, int[] Classes, Dictionary<string, FixtureArray> Raw);
