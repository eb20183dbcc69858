using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>
/// The CAM kernels on small hand-made inputs where the answer is known exactly, on both implementations: the SIMD
/// C# kernels of the `cpu` device and the ILGPU kernels (<see cref="CamKernels.For"/> picks them per device).
/// </summary>
public abstract class CamKernelTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : CamKernelTests(TestDevice.Simd);
    public sealed class Ilgpu() : CamKernelTests(TestDevice.Ilgpu);

    static Device D => TestDevice.CurrentOrDefault;
    static ICamKernels K => CamKernels.For(D);

    [Fact]
    public void GradCamPlusPlusSkipsPixelsWhoseDenominatorIsZero()
    {
        // One channel, two pixels: S = Σ A = −2. Pixel 0: g = 1, 2g² + S·g³ = 0 → α = 0 (the paper's formula
        // is undefined there; we drop the pixel). Pixel 1: g = 0.5, 2·0.25 − 2·0.125 = 0.25, α = 1, term 0.5.
        using var a = Tensor.FromArray(D, [1f, -3f], 1, 2);
        using var g = Tensor.FromArray(D, [1f, 0.5f], 1, 1, 2);
        using var w = Tensor.Empty(D, 1, 1);
        K.ChannelWeights(CamMethod.GradCamPlusPlus, a, g, w, 0f);
        Assert.Equal(0.5f, w.ToArray()[0]);
        // With pytorch-grad-cam's ε = 1e-6 pixel 0 gets α = 1/ε: the weight explodes instead.
        K.ChannelWeights(CamMethod.GradCamPlusPlus, a, g, w, 1e-6f);
        Assert.True(w.ToArray()[0] > 1e5f);
    }

    [Fact]
    public void ChannelWeightsFollowTheirFormulas()
    {
        // C = 2, P = 3, K = 2 targets.
        float[] av = [1, 2, 3, -1, 0, 1];
        float[] gv = [0.5f, -1, 2, 1, 1, 1, 0, 0, 0, -2, 4, 1];
        using var a = Tensor.FromArray(D, av, 2, 3);
        using var g = Tensor.FromArray(D, gv, 2, 2, 3);
        using var w = Tensor.Empty(D, 2, 2);
        K.ChannelWeights(CamMethod.GradCam, a, g, w, 0);
        Assert.Equal([1.5f / 3, 1, 0, 1], w.ToArray());
        K.ChannelWeights(CamMethod.XGradCam, a, g, w, 0);
        // Channel 1 has S = 0: weight 0 instead of a division by zero.
        Assert.Equal([(0.5f - 2 + 6) / 6, 0, 0, 0], w.ToArray());
        using var map = Tensor.Empty(D, 2, 3);
        K.PixelSum(CamMethod.HiResCam, a, g, map);
        Assert.Equal([0, 0, 7, 2, 0, 1], map.ToArray()); // ReLU(Σ_c g·a): [0.5−1, −2+0, 6+1], [0+2, 0+0, 0+1]
        K.PixelSum(CamMethod.LayerCam, a, g, map);
        Assert.Equal([0, 0, 7, 0, 0, 1], map.ToArray()); // ReLU(Σ_c ReLU(g)·a): [0.5−1, 0, 7], [0+0, 0, 1]
        K.PixelSum(CamMethod.GradCamElementWise, a, g, map);
        Assert.Equal([0.5f, 0, 7, 2, 0, 1], map.ToArray()); // Σ_c ReLU(g·a): [0.5+0, 0+0, 6+1], [0+2, 0+0, 0+1]
    }

    [Fact]
    public void EigenProjectionIsTheFirstPrincipalComponentWithAPositiveLargestEntry()
    {
        // Pixels on a line through the mean along (1, 2): the projection is t·√5 for t = −2..2 after centring.
        float[] t = [-2, -1, 0, 1, 2];
        var x = t.Select(v => 3 + v).Concat(t.Select(v => -1 + 2 * v)).ToArray(); // [C = 2, P = 5]
        using var xt = Tensor.FromArray(D, x, 2, 5);
        using var map = Tensor.Empty(D, 1, 5);
        using var scratch = Tensor.Empty(D, IlgpuCamKernels.EigenScratch(1, 2, 5));
        K.EigenProjection(xt, 2, 5, map, 50, scratch);
        // |−2√5| ties |2√5|: the first largest entry (pixel 0) is made positive, so the map is ReLU(−t·√5).
        Check.Close(map.ToArray(), t.Select(v => Math.Max(0, -v * Math.Sqrt(5))).ToArray(), "eigen projection", 1e-5, 1e-5);
        using var zeros = Tensor.Zeros(D, 2, 5);
        K.EigenProjection(zeros, 2, 5, map, 5, scratch);
        Assert.All(map.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void FeatureGridTilesTheFirstChannelsRowMajorNormalisedPerChannel()
    {
        Assert.Equal((1, 1), FeatureGrids.Layout(1));
        Assert.Equal((2, 3), FeatureGrids.Layout(5));
        Assert.Equal((4, 4), FeatureGrids.Layout(16));
        Assert.Equal((6, 6), FeatureGrids.Layout(32));
        // 6 channels of 2×3; ask for 5: grid 2 rows × 3 cols of cells, cell 5 empty. Channel c holds c·10 + i,
        // except channel 3, constant (normalises to 0).
        int c = 6, h = 2, w = 3;
        var data = new float[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++) data[ch * h * w + i] = ch == 3 ? 7 : ch * 10 + i;
        using var a = Tensor.FromArray(D, data, 1, c, h, w);
        using var grid = FeatureGrids.Tile(a, 5);
        Assert.Equal([2 * h, 3 * w], grid.Shape);
        var g = grid.ToArray();
        for (int gy = 0; gy < 2 * h; gy++)
            for (int gx = 0; gx < 3 * w; gx++)
            {
                int cell = gy / h * 3 + gx / w, i = gy % h * w + gx % w;
                float expected = cell >= 5 || cell == 3 ? 0 : i / 5f;
                Assert.Equal(expected, g[gy * 3 * w + gx], 6);
            }
    }

    [Fact]
    public void GuidedProductUpsamplesBilinearWithHalfPixelCentres()
    {
        // A 1×2 map [0, 1] resized to 1×4: PyTorch gives [0, 0.25, 0.75, 1].
        using var cam = Tensor.FromArray(D, [0f, 1f], 1, 1, 2);
        using var gb = Tensor.FromArray(D, [2f, 2f, 2f, 2f], 1, 1, 1, 4);
        using var output = Tensor.Empty(D, 1, 1, 1, 4);
        K.GuidedProduct(gb, cam, 1, 2, output);
        Assert.Equal([0f, 0.5f, 1.5f, 2f], output.ToArray());
    }

    [Fact]
    public void GuidedBackpropClipsNegativeIncomingGradientsAtReluAndSilu()
    {
        using var xt = Tensor.FromArray(D, [-1f, 2f, 3f, -2f], 4);
        using var gy = Tensor.FromArray(D, [1f, -1f, 2f, 0.5f, 1f, 1f, -3f, 1f], 2, 4);
        foreach (var (op, f) in new (Func<Var, Var>, Func<double, double>)[] {
            (Ops.Relu, v => v > 0 ? 1 : 0),
            (Ops.Silu, v => { double s = 1 / (1 + Math.Exp(-v)); return s * (1 + v * (1 - s)); }) })
        {
            using var tape = new Tape();
            using var guided = GuidedBackprop.On(tape);
            var x = Var.Input(xt, requiresGrad: true);
            op(x).Backward(gy);
            var xs = xt.ToArray();
            var g = gy.ToArray();
            var expected = g.Select((v, i) => Math.Max(v, 0) * f(xs[i % 4])).ToArray();
            Check.Close(x.Grad!.ToArray(), expected, "guided backward");
        }
    }
}
