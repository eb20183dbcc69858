using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;
using Pair = NativeCam.Tests.DevicePair;

namespace NativeCam.Tests.Cam.Render;

/// <summary>
/// The CPU heat-map kernels against the ILGPU kernels (the reference implementation, on ILGPU's CPU accelerator) on
/// identical inputs, at every vector width, on awkward shapes: 1×1 maps, odd sizes that leave vector tails, windows
/// touching each border, up- and downsampling, K &gt; 1, flat ("empty") maps, NaN and signed zeros. The arithmetic is
/// the same operation for operation, so every comparison is bit-exact (floats compared by their bits).
/// </summary>
public class CpuHeatmapKernelTests
{
    static Device Cpu => TestDevice.Simd;
    static Device Reference => TestDevice.IlgpuCpu;
    static IlgpuHeatmapKernels Ilgpu => IlgpuHeatmapKernels.For(Reference);

    public static IEnumerable<object[]> Widths() => [[SimdWidth.Vector512], [SimdWidth.Vector256], [SimdWidth.Vector128], [SimdWidth.Scalar]];

    [Fact]
    public void TheFactoryPicksTheCpuKernelsOnTheCpuDeviceAndIlgpuElsewhere()
    {
        Assert.IsType<CpuHeatmapKernels>(HeatmapKernels.For(TestDevice.Simd));
        Assert.IsType<IlgpuHeatmapKernels>(HeatmapKernels.For(TestDevice.IlgpuCpu));
    }

    static void Identical(Tensor cpu, Tensor reference, string what)
    {
        var a = cpu.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
        var e = reference.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
        Assert.Equal(e.Length, a.Length);
        int first = Enumerable.Range(0, a.Length).FirstOrDefault(i => a[i] != e[i], -1);
        Assert.True(first < 0, $"{what}: element {first} differs: {(first < 0 ? 0 : BitConverter.Int32BitsToSingle(a[first]))} vs {(first < 0 ? 0 : BitConverter.Int32BitsToSingle(e[first]))}");
    }

    static void Identical(DeviceRgb cpu, DeviceRgb reference, string what)
    {
        var a = cpu.ToImages().SelectMany(i => i.Pixels).ToArray();
        var e = reference.ToImages().SelectMany(i => i.Pixels).ToArray();
        var (max, differing) = RenderFixture.Compare(a, e);
        Assert.True(differing == 0, $"{what}: {differing} bytes differ, by up to {max}");
    }

    /// <summary>(K, h, w, window or null = all, outH, outW).</summary>
    public static IEnumerable<object?[]> ResizeCases() =>
    [
        [1, 1, 1, null, 1, 1],
        [1, 1, 1, null, 7, 5],                          // one pixel spread over everything
        [2, 5, 7, null, 17, 33],                        // odd sizes, tails below and above a vector
        [3, 9, 13, new PixelWindow(2, 3, 5, 7), 11, 19], // interior window
        [2, 10, 12, new PixelWindow(0, 0, 10, 5), 23, 17], // window on the top, left and bottom borders
        [2, 10, 12, new PixelWindow(4, 7, 6, 5), 3, 2],  // window on the bottom-right corner, downsampled
        [1, 40, 50, null, 13, 17],                      // downsample
        [5, 20, 20, null, 160, 161],                    // an 8x upsample, many rows per range
        [3, 160, 160, new PixelWindow(20, 0, 120, 160), 171, 229], // the second resize of a render: crop then enlarge
    ];

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void ResizeMatchesTheIlgpuKernelBitForBit(int k, int h, int w, PixelWindow? window, int outH, int outW)
    {
        using var src = Pair.Random(k * 1000 + h * 10 + w, -2, 3, k, h, w);
        using var reference = Tensor.Empty(Reference, k, outH, outW);
        Ilgpu.ResizeBilinear(src.Reference, reference, window);
        foreach (SimdWidth width in Widths().Select(o => o[0]))
        {
            using var dst = Tensor.Empty(Cpu, k, outH, outW);
            new CpuHeatmapKernels(width).ResizeBilinear(src.Cpu, dst, window);
            Identical(dst, reference, $"resize {k}x{h}x{w} {window} -> {outH}x{outW} at {width}");
        }
    }

    /// <summary>Maps with NaN, signed zeros (−0 met first, later, or only in some lanes), a flat map and an all-NaN one.</summary>
    static float[] AwkwardMaps(int k, int h, int w)
    {
        var data = new Rng(k * h + w).Uniform(k * h * w, -1, 2).Select(v => (float)v).ToArray();
        int plane = h * w;
        for (int i = 0; i < plane; i++)
        {
            // map 1: ReLU-like, zeros of both signs, −0 first; map 2: flat; map 3: all NaN; map 4: NaN sprinkled
            if (k > 1) data[plane + i] = i % 3 == 0 ? (i % 2 == 0 ? -0f : 0f) : Math.Abs(data[plane + i]);
            if (k > 2) data[2 * plane + i] = 0.75f;
            if (k > 3) data[3 * plane + i] = float.NaN;
            if (k > 4 && i % 5 == 2) data[4 * plane + i] = float.NaN;
        }
        // Zeros whose sign only a row-major scan decides (per-lane extremes would keep another zero):
        for (int i = 0; i < plane; i++)
        {
            // map 5: 1, −0, then +0: the minimum is the −0 (a lane that starts with +0 comes first across lanes)
            if (k > 5) data[5 * plane + i] = i == 0 ? 1f : i == 1 ? -0f : 0f;
            // map 6: +0, then −0 and +0 mixed: min and max are the first zero, +0, and the map is flat
            if (k > 6) data[6 * plane + i] = i == 0 || i % 3 == 1 ? 0f : -0f;
            // map 7: negative values and zeros, the first zero a −0: the maximum is −0
            if (k > 7) data[7 * plane + i] = i == 1 ? -0f : i % 4 == 3 ? 0f : -1f - i;
        }
        return data;
    }

    /// <summary>(K, h, w, window or null = all).</summary>
    public static IEnumerable<object?[]> ReduceCases() =>
    [
        [1, 1, 1, null],
        [2, 1, 1, null],
        [8, 3, 5, null],
        [8, 17, 33, null],
        [8, 17, 33, new PixelWindow(0, 0, 17, 1)],   // one column on the left border
        [8, 17, 33, new PixelWindow(16, 0, 1, 33)],  // the bottom row
        [8, 17, 33, new PixelWindow(5, 31, 12, 2)],  // the bottom-right corner
        [8, 64, 50, new PixelWindow(7, 0, 50, 50)],  // letterbox-like
        [3, 101, 93, null],                          // several of the ILGPU kernel's blocks
    ];

    [Theory]
    [MemberData(nameof(ReduceCases))]
    public void MinMaxAndNormalizeMatchTheIlgpuKernelsBitForBit(int k, int h, int w, PixelWindow? window)
    {
        using var maps = new Pair(AwkwardMaps(k, h, w), [k, h, w]);
        using var refStats = Tensor.Empty(Reference, k, 3);
        using var refOut = Tensor.Empty(Reference, k, h, w);
        Ilgpu.MinMax(maps.Reference, refStats, window);
        Ilgpu.Normalize(maps.Reference, refStats, refOut);
        foreach (SimdWidth width in Widths().Select(o => o[0]))
        {
            var kernels = new CpuHeatmapKernels(width);
            using var stats = Tensor.Empty(Cpu, k, 3);
            using var output = Tensor.Empty(Cpu, k, h, w);
            kernels.MinMax(maps.Cpu, stats, window);
            Identical(stats, refStats, $"min/max {k}x{h}x{w} {window} at {width}");
            kernels.Normalize(maps.Cpu, stats, output);
            Identical(output, refOut, $"normalize {k}x{h}x{w} at {width}");
        }
        if (k >= 8 && window is null && h * w >= 4) // the signed-zero cases really are what they say
        {
            var s = refStats.ToArray();
            Assert.True(float.IsNegative(s[3 * 1]) && float.IsNegative(s[3 * 5]) && float.IsNegative(s[3 * 7 + 1]));
            Assert.True(s[3 * 6] == 0f && !float.IsNegative(s[3 * 6]) && !float.IsNegative(s[3 * 6 + 1]));
            Assert.Equal([1f, 1f, 1f], new[] { s[3 * 2 + 2], s[3 * 3 + 2], s[3 * 6 + 2] }); // flat, all NaN, all zero: empty
        }
    }

    [Fact]
    public void NormalizeInPlaceMatches()
    {
        using var maps = new Pair(AwkwardMaps(5, 31, 47), [5, 31, 47]);
        using var refStats = Tensor.Empty(Reference, 5, 3);
        using var stats = Tensor.Empty(Cpu, 5, 3);
        Ilgpu.MinMax(maps.Reference, refStats);
        Ilgpu.Normalize(maps.Reference, refStats, maps.Reference);
        CpuHeatmapKernels.Shared.MinMax(maps.Cpu, stats);
        CpuHeatmapKernels.Shared.Normalize(maps.Cpu, stats, maps.Cpu);
        Identical(maps.Cpu, maps.Reference, "normalize in place");
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.55)]
    public void ColorizeBlendMatchesTheIlgpuKernelOnEveryLevelAndByte(double weight)
    {
        // 256 x 256 pixels: row y holds level y (cam = (y + ½)/255), column x image byte x in R, 255 − x in G and
        // (x + y) mod 256 in B, so every (level, channel, byte) occurs. Map 1: values out of [0, 1] and NaN.
        const int n = 256;
        var cam = new float[2 * n * n];
        var rng = new Rng(3).Uniform(n * n, -0.3, 1.3);
        for (int i = 0; i < n * n; i++)
        {
            cam[i] = (i / n + 0.5f) / 255f;
            cam[n * n + i] = i % 97 == 0 ? float.NaN : i % 89 == 0 ? 1f : (float)rng[i];
        }
        var pixels = new byte[n * n * 3];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                pixels[3 * (y * n + x)] = (byte)x;
                pixels[3 * (y * n + x) + 1] = (byte)(255 - x);
                pixels[3 * (y * n + x) + 2] = (byte)(x + y);
            }
        var image = new RgbImage(n, n, pixels);
        using var maps = new Pair(cam, [2, n, n]);
        using var refImage = DeviceRgb.Upload(Reference, image);
        using var refOut = DeviceRgb.Allocate(Reference, 2, n, n);
        Ilgpu.ColorizeBlend(maps.Reference, refImage, refOut, weight);
        using var cpuImage = DeviceRgb.Upload(Cpu, image);
        using var cpuOut = DeviceRgb.Allocate(Cpu, 2, n, n);
        CpuHeatmapKernels.Shared.ColorizeBlend(maps.Cpu, cpuImage, cpuOut, weight);
        Identical(cpuOut, refOut, $"blend at weight {weight}");
    }

    [Theory]
    [InlineData(1, 1, 1, false)]
    [InlineData(7, 5, 1, true)]
    [InlineData(7, 5, 3, false)]
    [InlineData(33, 17, 2, true)]
    public void ColorizeMatchesTheIlgpuKernel(int h, int w, int scale, bool gray)
    {
        var values = new Rng(h * w).Uniform(h * w, -0.2, 1.2).Select((v, i) => i % 11 == 4 ? float.NaN : (float)v).ToArray();
        using var grid = new Pair(values, [h, w]);
        using var refOut = DeviceRgb.Allocate(Reference, 1, h * scale, w * scale);
        using var cpuOut = DeviceRgb.Allocate(Cpu, 1, h * scale, w * scale);
        Ilgpu.Colorize(grid.Reference, refOut, gray, scale);
        CpuHeatmapKernels.Shared.Colorize(grid.Cpu, cpuOut, gray, scale);
        Identical(cpuOut, refOut, $"colorize {h}x{w} x{scale} {(gray ? "grey" : "JET")}");
    }

    [Theory]
    [InlineData(NormalizeRegion.NetworkInput)]
    [InlineData(NormalizeRegion.Image)]
    public void WholeRendersAreIdenticalOnBothDevices(NormalizeRegion region)
    {
        // A 50x37 image letterboxed to 64x64 (padding left and right), K = 4 maps at 8x8 including an all-zero one.
        var info = Letterbox.Plan(50, 37, 64, 64);
        var values = new Rng(11).Uniform(4 * 8 * 8, 0, 3).Select((v, i) => i / 64 == 2 ? 0f : (float)v).ToArray();
        var image = new RgbImage(50, 37, new Rng(12).Uniform(50 * 37 * 3, 0, 255).Select(v => (byte)v).ToArray());
        using var maps = new Pair(values, [4, 8, 8]);
        var options = new HeatmapOptions { NormalizeOver = region, HeatmapWeight = 0.4 };
        var cpu = HeatmapRenderer.Render(maps.Cpu, info, image, options);
        var reference = HeatmapRenderer.Render(maps.Reference, info, image, options);
        Assert.Equal(reference.Stats, cpu.Stats);
        Assert.True(cpu.Stats[2].Empty);
        for (int i = 0; i < 4; i++) Assert.Equal(reference.Overlays[i].Pixels, cpu.Overlays[i].Pixels);
    }

    public static IEnumerable<object[]> GuidedCases() =>
    [
        [50, 37, 64, 3],   // padding left and right, odd width, K = 3
        [37, 50, 64, 1],   // padding top and bottom
        [64, 64, 64, 2],   // no padding, no resize
        [1, 1, 32, 1],     // one pixel
        [150, 99, 128, 2], // downscaled: the window is smaller than the picture, several blocks across rows
    ];

    [Theory]
    [MemberData(nameof(GuidedCases))]
    public void GuidedPicturesAreIdenticalOnBothDevices(int h, int w, int size, int k)
    {
        var info = Letterbox.Plan(h, w, size, size, auto: false);
        int[] shape = [k, 3, info.InputHeight, info.InputWidth];
        var values = new Rng(h + w + k).Uniform(Tensor.ShapeLength(shape), -1e-3, 2e-3).Select(v => (float)v).ToArray();
        if (k > 1) Array.Clear(values, values.Length / k, values.Length / k); // picture 1: no gradient at all
        using var g = new Pair(values, shape);
        var cpu = GuidedRenderer.Render(g.Cpu, info);
        var reference = GuidedRenderer.Render(g.Reference, info);
        Assert.Equal(reference.Stats, cpu.Stats);
        for (int i = 0; i < k; i++) Assert.Equal(reference.Pictures[i].Pixels, cpu.Pictures[i].Pixels);
    }
}
