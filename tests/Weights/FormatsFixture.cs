using System.Text.Json;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>One file of tests/fixtures/formats and what the reader must report about it.</summary>
public sealed class FormatFileRecord
{
    public string File { get; set; } = "";
    public string Network { get; set; } = "";
    public string Format { get; set; } = "";
    public string? WrapperKey { get; set; }
    public string? StrippedPrefix { get; set; }
    public int RenamedKeys { get; set; }
    public string? ModuleClass { get; set; }
    public override string ToString() => File;
}

/// <summary>tests/fixtures/formats/formats.fixture.json, written by tests/reference/weight_formats_reference.py.</summary>
public sealed class FormatsFixture
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly Lazy<FormatsFixture> Instance = new(() =>
        JsonSerializer.Deserialize<FormatsFixture>(System.IO.File.ReadAllText(Path("formats.fixture.json")), Json)
        ?? throw new InvalidDataException("empty formats fixture"));

    public static FormatsFixture Value => Instance.Value;

    public Dictionary<string, TensorRecord[]> Networks { get; set; } = [];
    public FormatFileRecord[] Files { get; set; } = [];

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "formats", name);

    public static FormatFileRecord File(string name) => Value.Files.Single(f => f.File == name);

    /// <summary>Every tensor of the file's network, by name, in order, bit for bit; and the source record.</summary>
    public static void AssertLoaded(FormatFileRecord expected, WeightFile weights)
    {
        new TensorFixture { Source = expected.File, Tensors = Value.Networks[expected.Network] }.AssertMatches(weights);
        var s = weights.Metadata.Source;
        Assert.Equal(
            (expected.Format, expected.WrapperKey, expected.StrippedPrefix, expected.RenamedKeys, expected.ModuleClass),
            (s.Format, s.WrapperKey, s.StrippedPrefix, s.RenamedKeys, s.ModuleClass));
    }
}
