using System.Text.Json;

namespace NativeCam.Tests;

/// <summary>A named array from a PyTorch fixture: shape plus row-major float64 data.</summary>
public sealed record FixtureArray(int[] Shape, double[] Data);

/// <summary>
/// One case of a PyTorch fixture file written by tests/reference/*.py: its parameters, inputs, the
/// output gradient fed to autograd, and the expected outputs and input gradients (computed in float64).
/// </summary>
public sealed class FixtureCase
{
    public required string Name { get; init; }
    public required JsonElement Params { get; init; }
    public required Dictionary<string, FixtureArray> Inputs { get; init; }
    public required Dictionary<string, FixtureArray> Outputs { get; init; }
    public required Dictionary<string, FixtureArray> Grads { get; init; }
    public FixtureArray? OutputGrad { get; init; }

    public int Int(string name) => Params.GetProperty(name).GetInt32();
    public double Double(string name) => Params.GetProperty(name).GetDouble();
    public string Str(string name) => Params.GetProperty(name).GetString()!;
    public int[] Ints(string name) => Params.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
    public bool Has(string name) => Params.TryGetProperty(name, out _);

    public override string ToString() => Name;
}

public static class Fixtures
{
    /// <summary>Folder of the fixture files copied next to the test assembly.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>Loads all cases of fixtures/<paramref name="file"/>.</summary>
    public static IReadOnlyList<FixtureCase> Load(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture {path} is missing: run tests/reference/*.py");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new FixtureCase
        {
            Name = c.GetProperty("name").GetString()!,
            Params = c.TryGetProperty("params", out var p) ? p.Clone() : default,
            Inputs = Arrays(c, "inputs"),
            Outputs = Arrays(c, "outputs"),
            Grads = Arrays(c, "grads"),
            OutputGrad = c.TryGetProperty("output_grad", out var g) ? Array(g) : null,
        }).ToList();
    }

    /// <summary>Case names of a fixture file, for xunit's MemberData.</summary>
    public static IEnumerable<object[]> Names(string file) => Load(file).Select(c => new object[] { c.Name });

    public static FixtureCase Case(string file, string name) => Load(file).Single(c => c.Name == name);

    static Dictionary<string, FixtureArray> Arrays(JsonElement c, string key) =>
        c.TryGetProperty(key, out var obj)
            ? obj.EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value))
            : new();

    static FixtureArray Array(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray());
}
