using NativeCam.Cam;
using NativeCam.Tensors;
using Xunit;
using Pair = NativeCam.Tests.DevicePair;

namespace NativeCam.Tests.Cam;

/// <summary>
/// The SIMD C# CAM kernels against the ILGPU kernels (the reference implementation) on identical random inputs,
/// at every vector width, on shapes that leave ragged vector tails (P = 1, 15, 17, 33, ..) and cross the 64-pixel
/// blocks and the parallel split. Tolerance: float32 rounding, 1e-5 of each output's largest value (the eigen
/// projection, 200 power-iteration steps, 1e-4); where the arithmetic is the same operation for operation
/// (product, ranges, grid, guided product), exact.
/// </summary>
public class CpuCamKernelTests
{
    static Device Cpu => TestDevice.Simd;
    static Device Reference => TestDevice.IlgpuCpu;
    static IlgpuCamKernels Ilgpu => IlgpuCamKernels.For(Reference);

    public static IEnumerable<object[]> Widths() => [[SimdWidth.Vector512], [SimdWidth.Vector256], [SimdWidth.Vector128], [SimdWidth.Scalar]];

    /// <summary>(K, C, P): one pixel; tails below, at and above one vector; several 64-pixel blocks and ranges.</summary>
    static readonly (int K, int C, int P)[] Shapes = [(1, 1, 1), (2, 3, 15), (3, 5, 17), (2, 4, 33), (1, 7, 81), (2, 16, 1000)];

    [Fact]
    public void TheFactoryPicksTheSimdKernelsOnTheCpuDeviceAndIlgpuElsewhere()
    {
        Assert.IsType<CpuCamKernels>(CamKernels.For(TestDevice.Simd));
        Assert.IsType<IlgpuCamKernels>(CamKernels.For(TestDevice.IlgpuCpu));
    }

    /// <summary>Activations like SiLU outputs (mostly positive) and gradients of ~1e-3 with zeros: Grad-CAM++'s regime.</summary>
    static (Pair A, Pair G) Layer(int seed, int k, int c, int p)
    {
        var rng = new Rng(seed);
        var a = Pair.Random(rng, -0.25, 1.5, c, p);
        var g = rng.Uniform(k * c * p, -1e-3, 1e-3).Select((v, i) => i % 7 == 3 ? 0f : (float)v).ToArray();
        return (a, new Pair(g, [k, c, p]));
    }

    static void Same(Tensor cpu, Tensor reference, string what, double rel)
    {
        var expected = reference.ToArray();
        double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        Check.Close(cpu.ToArray(), expected, what, rel, rel * Math.Max(scale, 1e-30));
    }

    static void Exact(Tensor cpu, Tensor reference, string what) => Assert.True(cpu.ToArray().SequenceEqual(reference.ToArray()), $"{what}: not identical");

    [Theory]
    [MemberData(nameof(Widths))]
    public void ChannelWeightsAndSumsMatchTheIlgpuKernels(SimdWidth width)
    {
        var kernels = new CpuCamKernels(width);
        foreach (var (k, c, p) in Shapes)
        {
            var (a, g) = Layer(k * 100 + c * 10 + p, k, c, p);
            using var _a = a;
            using var _g = g;
            using var w = Pair.Empty(k, c);
            using var map = Pair.Empty(k, p);
            string shape = $"K={k} C={c} P={p} {width}";
            foreach (var (method, eps) in new[] { (CamMethod.GradCam, 0f), (CamMethod.XGradCam, 0f), (CamMethod.GradCamPlusPlus, 0f), (CamMethod.GradCamPlusPlus, 1e-6f) })
            {
                kernels.ChannelWeights(method, a.Cpu, g.Cpu, w.Cpu, eps);
                Ilgpu.ChannelWeights(method, a.Reference, g.Reference, w.Reference, eps);
                Same(w.Cpu, w.Reference, $"{method} ε={eps} weights {shape}", 1e-5);
                // The weighted sum from the same (reference) weights on both sides.
                using var weights = new Pair(w.Reference.ToArray(), [k, c]);
                kernels.WeightedSum(a.Cpu, weights.Cpu, map.Cpu);
                Ilgpu.WeightedSum(a.Reference, weights.Reference, map.Reference);
                Same(map.Cpu, map.Reference, $"{method} map {shape}", 1e-5);
            }
            foreach (var method in new[] { CamMethod.LayerCam, CamMethod.HiResCam, CamMethod.GradCamElementWise })
            {
                kernels.PixelSum(method, a.Cpu, g.Cpu, map.Cpu);
                Ilgpu.PixelSum(method, a.Reference, g.Reference, map.Reference);
                Same(map.Cpu, map.Reference, $"{method} {shape}", 1e-5);
            }
            using var range = Pair.Empty(k, 2);
            using var same = new Pair(map.Reference.ToArray(), [k, p]);
            kernels.MapRange(same.Cpu, p, range.Cpu);
            Ilgpu.MapRange(same.Reference, p, range.Reference);
            Exact(range.Cpu, range.Reference, $"map range {shape}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EigenProjectionMatchesTheIlgpuKernels(SimdWidth width)
    {
        var kernels = new CpuCamKernels(width);
        foreach (var (k, c, p) in Shapes.Where(s => s.P <= 81).Append((2, 9, 150)))
        {
            var (a, g) = Layer(k * 31 + c * 7 + p, k, c, p);
            using var _a = a;
            using var _g = g;
            using var x = Pair.Empty(k, c, p);
            kernels.Product(a.Cpu, g.Cpu, x.Cpu);
            Ilgpu.Product(a.Reference, g.Reference, x.Reference);
            Exact(x.Cpu, x.Reference, $"A·G K={k} C={c} P={p}");
            // EigenCAM on A (one map) and EigenGrad-CAM on A ⊙ G (K maps).
            foreach (var (input, maps) in new[] { (a, 1), (x, k) })
            {
                using var map = Pair.Empty(maps, p);
                using var scratch = Pair.Empty(IlgpuCamKernels.EigenScratch(maps, c, p));
                kernels.EigenProjection(input.Cpu, c, p, map.Cpu, 200, scratch.Cpu);
                Ilgpu.EigenProjection(input.Reference, c, p, map.Reference, 200, scratch.Reference);
                Same(map.Cpu, map.Reference, $"eigen projection of {maps} maps, C={c} P={p} {width}", 1e-4);
            }
        }
        // A zero matrix has no direction: a zero map, as on the ILGPU side.
        using var zeros = Pair.Empty(2, 3, 17);
        using var zeroMap = Pair.Empty(2, 17);
        using var zeroScratch = Pair.Empty(IlgpuCamKernels.EigenScratch(2, 3, 17));
        kernels.EigenProjection(zeros.Cpu, 3, 17, zeroMap.Cpu, 5, zeroScratch.Cpu);
        Assert.All(zeroMap.Cpu.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FeatureGridAndGuidedProductMatchTheIlgpuKernelsExactly(SimdWidth width)
    {
        var kernels = new CpuCamKernels(width);
        var rng = new Rng(5);
        // 7 channels of 3×19 (channel 2 constant), 5 shown: 2×3 cells, one unused.
        var data = rng.Uniform(7 * 3 * 19, -2, 3).Select((v, i) => i / 57 == 2 ? 0.5f : (float)v).ToArray();
        using var a = new Pair(data, [1, 7, 3, 19]);
        using var grid = Pair.Empty(2 * 3, 3 * 19);
        using var scratch = Pair.Empty(2 * 5);
        kernels.FeatureGrid(a.Cpu, 3, 19, 5, 2, 3, grid.Cpu, scratch.Cpu);
        Ilgpu.FeatureGrid(a.Reference, 3, 19, 5, 2, 3, grid.Reference, scratch.Reference);
        Exact(grid.Cpu, grid.Reference, $"feature grid {width}");

        // Up-sampling by non-integer factors (and one down-sampling axis), widths with vector tails.
        foreach (var (h, w, outH, outW) in new[] { (3, 5, 7, 37), (4, 6, 16, 24), (5, 40, 9, 17), (1, 1, 2, 3) })
        {
            using var cam = Pair.Random(rng, 0, 2, 2, h, w);
            using var gb = Pair.Random(rng, -1, 1, 2, 3, outH, outW);
            using var output = Pair.Empty(2, 3, outH, outW);
            kernels.GuidedProduct(gb.Cpu, cam.Cpu, h, w, output.Cpu);
            Ilgpu.GuidedProduct(gb.Reference, cam.Reference, h, w, output.Reference);
            Exact(output.Cpu, output.Reference, $"guided product {h}x{w} → {outH}x{outW} {width}");
        }
    }

    [Fact]
    public void SeedsMatchTheIlgpuKernels()
    {
        var kernels = CpuCamKernels.Shared;
        // Detect output [1, 2·(nc + 5) = 14, 3, 4] (nc = 2); four targets: logit and confidence on level 1, one on
        // level 0 (not written here), one whose class channel lies outside the output (skipped).
        using var output = Pair.Random(new Rng(9), -4, 4, 1, 14, 3, 4);
        float[] table = [1, 4, 5, 6, 0, 1, 11, 13, 11, 1, 0, 4, 5, 2, 0, 1, 4, 20, 3, 1];
        using var t = new Pair(table, [20]);
        using var scales = new Pair([1f, 2.5f, 1f, 1f], [4]);
        using var seed = Pair.Empty(4, 14 * 3 * 4);
        kernels.Seeds(output.Cpu, t.Cpu, scales.Cpu, 1, seed.Cpu);
        Ilgpu.Seeds(output.Reference, t.Reference, scales.Reference, 1, seed.Reference);
        Same(seed.Cpu, seed.Reference, "seeds", 1e-6);
        var s = seed.Cpu.ToArray();
        Assert.Equal(3, s.Count(v => v != 0)); // one logit entry, two confidence entries
    }

    [Fact]
    public void WrongShapesThrowBeforeAnyMemoryIsTouched()
    {
        var kernels = CpuCamKernels.Shared;
        using var a = Tensor.Zeros(Cpu, 2, 3);
        using var g = Tensor.Zeros(Cpu, 2, 2, 3);
        using var w = Tensor.Zeros(Cpu, 2, 2);
        using var small = Tensor.Zeros(Cpu, 5);
        Assert.Throws<ArgumentException>(() => kernels.ChannelWeights(CamMethod.LayerCam, a, g, w, 0));
        Assert.Throws<ArgumentException>(() => kernels.ChannelWeights(CamMethod.GradCam, a, g, small, 0));
        Assert.Throws<ArgumentException>(() => kernels.WeightedSum(a, w, small));
        Assert.Throws<ArgumentException>(() => kernels.PixelSum(CamMethod.GradCam, a, g, w));
        Assert.Throws<ArgumentException>(() => kernels.PixelSum(CamMethod.HiResCam, a, g, small));
        Assert.Throws<ArgumentException>(() => kernels.Product(a, g, small));
        Assert.Throws<ArgumentException>(() => kernels.EigenProjection(g, 2, 3, w, 10, small));
        Assert.Throws<ArgumentException>(() => kernels.EigenProjection(g, 2, 3, a, 10, small)); // scratch too small
        Assert.Throws<ArgumentException>(() => kernels.MapRange(g, 3, small));
        Assert.Throws<ArgumentException>(() => kernels.FeatureGrid(a, 1, 3, 3, 1, 2, small, small));
        Assert.Throws<ArgumentException>(() => kernels.GuidedProduct(g, a, 1, 3, g));
        using var gb = Tensor.Zeros(Cpu, 2, 3, 4, 4);
        Assert.Throws<ArgumentException>(() => kernels.GuidedProduct(gb, small, 1, 3, gb));
        Assert.Throws<ArgumentException>(() => kernels.Seeds(a, small, w, 0, g));
    }
}
