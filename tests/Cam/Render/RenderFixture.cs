using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Tests.Cam.Render;

/// <summary>Cases of tests/fixtures/render/render.json (tests/reference/render_reference.py) and conversions.</summary>
public static class RenderFixture
{
    public const string File = "render/render.json";

    public static FixtureCase Case(string name) => Fixtures.Case(File, name);

    public static IEnumerable<object[]> Names(string prefix) =>
        Fixtures.Load(File).Where(c => c.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(c => new object[] { c.Name });

    public static Tensor Tensor(FixtureArray a) =>
        NativeCam.Tensors.Tensor.FromArray(TestDevice.CurrentOrDefault, a.Data.Select(v => (float)v).ToArray(), a.Shape);

    public static float[] Floats(FixtureArray a) => a.Data.Select(v => (float)v).ToArray();

    public static byte[] Bytes(FixtureArray a) => a.Data.Select(v => checked((byte)v)).ToArray();

    /// <summary>An [H, W, 3] uint8 fixture array as an image.</summary>
    public static RgbImage Image(FixtureArray a) => new(a.Shape[0], a.Shape[1], Bytes(a));

    /// <summary>(top, left, height, width) from a case's "window" parameter, or null.</summary>
    public static NativeCam.Cam.Render.PixelWindow? Window(FixtureCase c)
    {
        var p = c.Params.GetProperty("window");
        if (p.ValueKind == System.Text.Json.JsonValueKind.Null) return null;
        var v = p.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new(v[0], v[1], v[2], v[3]);
    }

    /// <summary>Largest absolute byte difference and how many bytes differ.</summary>
    public static (int MaxLevels, int Differing) Compare(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"{actual.Length} bytes vs {expected.Length}");
        int max = 0, n = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            int d = Math.Abs(actual[i] - expected[i]);
            if (d > 0) n++;
            max = Math.Max(max, d);
        }
        return (max, n);
    }
}
