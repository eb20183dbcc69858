using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;
using Xunit.Abstractions;

namespace NativeCam.Tests.Cam.Render;

/// <summary>
/// The rendering kernels against PyTorch / OpenCV / numpy fixtures (tests/reference/render_reference.py):
/// resize to 1e-5 of F.interpolate, normalisation and statistics bit-exact (same float32 operations), JET table
/// and colour + blend bit-exact given the same float32 maps, the whole pipeline within one level. Every fact runs on
/// both implementations: the CPU kernels of the `cpu` device and the ILGPU kernels.
/// </summary>
public abstract class HeatmapKernelTests(Device device, ITestOutputHelper output) : BackendTests(device)
{
    public sealed class Simd(ITestOutputHelper output) : HeatmapKernelTests(TestDevice.Simd, output);
    public sealed class Ilgpu(ITestOutputHelper output) : HeatmapKernelTests(TestDevice.Ilgpu, output);

    static Device Dev => TestDevice.CurrentOrDefault;

    public static IEnumerable<object[]> ResizeCases => RenderFixture.Names("resize_");
    public static IEnumerable<object[]> NormalizeCases => RenderFixture.Names("normalize_");
    public static IEnumerable<object[]> BlendCases => RenderFixture.Names("blend_");

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void ResizeMatchesInterpolate(string name)
    {
        var c = RenderFixture.Case(name);
        using var x = RenderFixture.Tensor(c.Inputs["x"]);
        var expected = c.Outputs["y"];
        using var y = Tensor.Empty(Dev, expected.Shape);
        HeatmapKernels.ResizeBilinear(x, y, RenderFixture.Window(c));
        // F.interpolate in float32; PyTorch's vectorised CPU kernel may fuse multiply-adds, so allow 1e-5.
        var actual = y.ToArray();
        output.WriteLine($"{name}: max |diff| {actual.Zip(expected.Data, (a, e) => Math.Abs(a - e)).Max():G3}");
        Check.Close(actual, expected.Data, name, rtol: 0, atol: 1e-5);
    }

    [Theory]
    [MemberData(nameof(NormalizeCases))]
    public void NormalizeMatchesNumpyExactly(string name)
    {
        var c = RenderFixture.Case(name);
        using var x = RenderFixture.Tensor(c.Inputs["x"]);
        int k = x.Shape[0];
        using var stats = Tensor.Empty(Dev, k, 3);
        using var y = Tensor.Empty(Dev, x.Shape);
        HeatmapKernels.MinMax(x, stats, RenderFixture.Window(c));
        HeatmapKernels.Normalize(x, stats, y);
        Assert.Equal(RenderFixture.Floats(c.Outputs["y"]), y.ToArray());
        var s = HeatmapRenderer.ReadStats(stats);
        for (int i = 0; i < k; i++)
        {
            Assert.Equal((float)c.Outputs["min"].Data[i], s[i].Min);
            Assert.Equal((float)c.Outputs["max"].Data[i], s[i].Max);
            Assert.Equal(c.Outputs["empty"].Data[i] != 0, s[i].Empty);
        }
    }

    [Fact]
    public void FlatMapIsAllZerosAndEmpty()
    {
        using var x = Tensor.Full(Dev, 2.5f, 2, 33, 70);
        using var stats = Tensor.Empty(Dev, 2, 3);
        HeatmapKernels.MinMax(x, stats);
        HeatmapKernels.Normalize(x, stats, x);
        Assert.All(x.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(HeatmapRenderer.ReadStats(stats), s => Assert.Equal(new MapStats(2.5f, 2.5f, true), s));
    }

    [Fact]
    public void MinMaxOverManyBlocksMatchesHost()
    {
        // 3 maps of 101x93 = 9393 pixels: five blocks each, the extremes planted in different blocks.
        var rng = new Random(7);
        var data = new float[3 * 101 * 93];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        data[5000] = -3f;
        data[9393 + 9000] = 4f;
        data[2 * 9393 + 1] = float.NaN; // skipped by the comparisons
        using var x = Tensor.FromArray(Dev, data, 3, 101, 93);
        using var stats = Tensor.Empty(Dev, 3, 3);
        HeatmapKernels.MinMax(x, stats, new PixelWindow(0, 0, 101, 93));
        var s = HeatmapRenderer.ReadStats(stats);
        for (int k = 0; k < 3; k++)
        {
            var map = data.AsSpan(k * 9393, 9393).ToArray().Where(v => !float.IsNaN(v)).ToArray();
            Assert.Equal(new MapStats(map.Min(), map.Max(), false), s[k]);
        }
        Assert.Equal(-3f, s[0].Min);
        Assert.Equal(4f, s[1].Max);
    }

    [Fact]
    public void JetTableMatchesOpenCvInAll256Entries()
    {
        var expected = RenderFixture.Bytes(RenderFixture.Case("jet").Outputs["rgb"]);
        Assert.Equal(256 * 3, expected.Length);
        Assert.Equal(expected, JetColorMap.RgbBytes());
        for (int i = 0; i < 256; i++)
            Assert.Equal(new Rgb(expected[3 * i], expected[3 * i + 1], expected[3 * i + 2]), JetColorMap.Color((byte)i));
    }

    [Fact]
    public void QuantisationTruncatesLikeNumpyUint8()
    {
        Assert.Equal(0, JetColorMap.Quantise(0f));
        Assert.Equal(255, JetColorMap.Quantise(1f));
        Assert.Equal(254, JetColorMap.Quantise(MathF.BitDecrement(1f))); // 254.99998 truncates
        Assert.Equal(127, JetColorMap.Quantise(0.5f));                    // 127.5 truncates, never rounds
        Assert.Equal(0, JetColorMap.Quantise(float.NaN));
        Assert.Equal(0, JetColorMap.Quantise(-0.3f));
        Assert.Equal(255, JetColorMap.Quantise(7f));
    }

    [Theory]
    [MemberData(nameof(BlendCases))]
    public void ColorizeBlendMatchesSeedPipelineExactly(string name)
    {
        var c = RenderFixture.Case(name);
        using var cam = RenderFixture.Tensor(c.Inputs["cam"]);
        using var image = DeviceRgb.Upload(Dev, RenderFixture.Image(c.Inputs["image"]));
        using var result = DeviceRgb.Allocate(Dev, cam.Shape[0], cam.Shape[1], cam.Shape[2]);
        HeatmapKernels.ColorizeBlend(cam, image, result, c.Double("weight"));
        var actual = result.ToImages().SelectMany(i => i.Pixels).ToArray();
        Assert.Equal(RenderFixture.Bytes(c.Outputs["y"]), actual); // same float32 map, same float64 blend: bit-exact
    }

    [Theory]
    [InlineData("gray_grid", GridColor.Gray)]
    [InlineData("jet_grid", GridColor.Jet)]
    public void FeatureGridMatchesReference(string name, GridColor color)
    {
        var c = RenderFixture.Case(name);
        using var grid = RenderFixture.Tensor(c.Inputs["grid"]);
        var image = FeatureGridRenderer.Render(grid, color);
        Assert.Equal(RenderFixture.Bytes(c.Outputs["y"]), image.Pixels);

        var big = FeatureGridRenderer.Render(grid, color, scale: 3);
        Assert.Equal((grid.Shape[0] * 3, grid.Shape[1] * 3), (big.Height, big.Width));
        for (int y = 0; y < big.Height; y++)
            for (int x = 0; x < big.Width; x++)
                for (int ch = 0; ch < 3; ch++)
                    Assert.Equal(image.At(y / 3, x / 3, ch), big.At(y, x, ch));
    }

    [Fact]
    public void PipelineMatchesReferenceWithinOneLevel()
    {
        var c = RenderFixture.Case("pipeline");
        var image = RenderFixture.Image(c.Inputs["image"]);
        var info = Letterbox.Plan(image.Height, image.Width, c.Int("size"), c.Int("size"));
        Assert.Equal((c.Int("top"), c.Int("left"), c.Int("resized_h"), c.Int("resized_w"), c.Int("input_h"), c.Int("input_w")),
            (info.PadTop, info.PadLeft, info.ResizedHeight, info.ResizedWidth, info.InputHeight, info.InputWidth));
        using var maps = RenderFixture.Tensor(c.Inputs["maps"]);
        var render = HeatmapRenderer.Render(maps, info, image);

        int k = maps.Shape[0];
        Assert.Equal(k, render.Overlays.Count);
        for (int i = 0; i < k; i++)
        {
            Assert.Equal((float)c.Outputs["min"].Data[i], render.Stats[i].Min);
            Assert.Equal((float)c.Outputs["max"].Data[i], render.Stats[i].Max);
            Assert.Equal(c.Outputs["empty"].Data[i] != 0, render.Stats[i].Empty);
        }
        Assert.True(render.Stats[2].Empty); // the all-zero map

        // Two float32 resizes: a map value may differ from PyTorch's by an ulp or so, which can move
        // trunc(255·v) across a level boundary; the JET table then changes by up to 4 levels per step and the 0.3
        // blend weight scales that to at most 1.2 → allow ±1 (measured count reported).
        var expected = RenderFixture.Bytes(c.Outputs["y"]);
        var actual = render.Overlays.SelectMany(o => o.Pixels).ToArray();
        var (max, differing) = RenderFixture.Compare(actual, expected);
        output.WriteLine($"pipeline: {differing} of {actual.Length} bytes differ, max {max} level(s)");
        Assert.True(max <= 1, $"pipeline: max difference {max} levels");
    }

    [Fact]
    public void NormalizeOverImageUsesOnlyTheVisibleWindow()
    {
        // A hot spot in the padding: normalised over the input it is the maximum; over the image it is ignored.
        var info = Letterbox.Plan(40, 64, 64, 64); // 40x64 image, padding rows at top and bottom
        Assert.True(info.PadTop > 0);
        var raw = new float[8 * 8];
        for (int i = 0; i < raw.Length; i++) raw[i] = i % 8 * 0.1f;
        raw[0] = 50f; // top-left cell lies in the top padding after upsampling
        using var maps = Tensor.FromArray(Dev, raw, 1, 8, 8);
        var image = new RgbImage(40, 64, new byte[40 * 64 * 3]);
        var overInput = HeatmapRenderer.Render(maps, info, image);
        var overImage = HeatmapRenderer.Render(maps, info, image, new HeatmapOptions { NormalizeOver = NormalizeRegion.Image });
        Assert.True(overInput.Stats[0].Max > 10f);
        Assert.True(overImage.Stats[0].Max < 1f);
    }

    [Fact]
    public void ShapeErrorsAreArgumentExceptions()
    {
        using var maps = Tensor.Zeros(Dev, 2, 4, 4);
        using var wrong = Tensor.Empty(Dev, 3, 8, 8);
        using var stats = Tensor.Empty(Dev, 2, 3);
        Assert.Throws<ArgumentException>(() => HeatmapKernels.ResizeBilinear(maps, wrong));
        Assert.Throws<ArgumentException>(() => HeatmapKernels.ResizeBilinear(maps, stats));
        Assert.Throws<ArgumentException>(() => HeatmapKernels.MinMax(maps, stats, new PixelWindow(2, 2, 3, 1)));
        Assert.Throws<ArgumentException>(() => HeatmapKernels.Normalize(maps, wrong, maps));
        using var img = DeviceRgb.Allocate(Dev, 1, 4, 5);
        using var outImg = DeviceRgb.Allocate(Dev, 2, 4, 4);
        Assert.Throws<ArgumentException>(() => HeatmapKernels.ColorizeBlend(maps, img, outImg, 0.3));
        var info = Letterbox.Plan(40, 64, 64, 64);
        Assert.Throws<ArgumentException>(() => HeatmapRenderer.Render(maps, info, new RgbImage(41, 64, new byte[41 * 64 * 3])));
        Assert.Throws<ArgumentException>(() => HeatmapRenderer.Render(maps, info, new RgbImage(40, 64, new byte[40 * 64 * 3]),
            new HeatmapOptions { HeatmapWeight = 1.5 }));
    }
}
