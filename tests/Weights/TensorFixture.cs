using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>One tensor as PyTorch saw it (written by tests/reference/weights_fixture.py).</summary>
public sealed class TensorRecord
{
    public string Name { get; set; } = "";
    public int[] Shape { get; set; } = [];
    [JsonPropertyName("dtype")]
    public string DType { get; set; } = "";
    public double Sum { get; set; }
    public double AbsSum { get; set; }
    public double[][] Samples { get; set; } = [];
    public string Sha256 { get; set; } = "";
}

/// <summary>A fixture file: the tensors, and for YOLOv5 the metadata torch.load gave.</summary>
public sealed class TensorFixture
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Source { get; set; } = "";
    public long? Epoch { get; set; }
    public string? Date { get; set; }
    public int Nc { get; set; }
    public string[] Names { get; set; } = [];
    public double[] Stride { get; set; } = [];
    public string[] YamlKeys { get; set; } = [];
    public TensorRecord[] Tensors { get; set; } = [];

    public static TensorFixture Load(string name) =>
        JsonSerializer.Deserialize<TensorFixture>(File.ReadAllText(TestPaths.Fixture(name)), Json)
        ?? throw new InvalidDataException($"empty fixture {name}");

    /// <summary>
    /// Same names in the same order, same shapes, and every element bit-exact: the SHA-256 of the
    /// converted bytes equals PyTorch's (float types widened to float32). Sums and samples are
    /// checked too, so a mismatch says where.
    /// </summary>
    public void AssertMatches(WeightFile weights)
    {
        Assert.Equal(Tensors.Select(t => t.Name), weights.Tensors.Select(t => t.Name));
        foreach (var expected in Tensors)
        {
            var actual = weights[expected.Name];
            Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{expected.Name}: shape [{string.Join(", ", actual.Shape)}], PyTorch [{string.Join(", ", expected.Shape)}]");
            var data = actual.Data.Span;
            foreach (var sample in expected.Samples)
            {
                double value = ElementValues.ReadDouble(actual.DType, data, (long)sample[0]);
                Assert.True(sample[1].Equals(value), $"{expected.Name}[{sample[0]}] = {value:R}, PyTorch {sample[1]:R}");
            }
            double sum = 0, abs = 0;
            for (long i = 0; i < actual.ElementCount; i++)
            {
                double v = ElementValues.ReadDouble(actual.DType, data, i);
                sum += v;
                abs += Math.Abs(v);
            }
            double tolerance = 1e-9 * Math.Max(1, expected.AbsSum);
            Assert.True(Math.Abs(sum - expected.Sum) <= tolerance, $"{expected.Name}: sum {sum:R}, PyTorch {expected.Sum:R}");
            Assert.True(Math.Abs(abs - expected.AbsSum) <= tolerance, $"{expected.Name}: sum of abs {abs:R}, PyTorch {expected.AbsSum:R}");
            Assert.True(expected.Sha256 == Convert.ToHexStringLower(SHA256.HashData(data)), $"{expected.Name}: bytes differ from PyTorch's");
        }
    }

    /// <summary>Stored dtypes equal PyTorch's, for weights loaded with KeepHalf (nothing widened).</summary>
    public void AssertSourceDTypes(WeightFile weights)
    {
        foreach (var expected in Tensors) Assert.Equal((expected.Name, expected.DType), (expected.Name, weights[expected.Name].DType));
    }
}
