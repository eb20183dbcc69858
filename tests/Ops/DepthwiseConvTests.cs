using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// The SIMD CPU backend's depth-wise conv (forward, input gradient, weight gradient) at each vector width against
/// the float64 reference, on the shapes MobileNet v2/v3, ShuffleNet and ConvNeXt use: 3×3, 5×5 and 7×7 kernels,
/// stride 1 and 2, planes from 7 pixels wide (narrower than a vector: one partial vector per row, rows packed four
/// at a time) to rows of several vectors with a ragged end (the last vector overlapping the previous one), odd
/// sizes, channel multiplier 2, and K = 2 gradient targets sharing one input.
/// </summary>
public sealed class DepthwiseConvTests
{
    public static TheoryData<SimdWidth> Widths => new() { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar };

    //                        c   h   w  k  s  mult
    static readonly (int C, int H, int W, int K, int S, int Mult)[] Shapes =
    [
        (5, 7, 7, 3, 1, 1),      // MobileNet v2's last stage: rows of 7
        (3, 14, 14, 3, 1, 1),    // rows of 14: one partial Vector512
        (4, 28, 28, 3, 2, 1),    // stride 2 down to 14
        (3, 13, 37, 3, 2, 1),    // odd sizes, stride 2, ragged rows
        (3, 20, 40, 3, 1, 2),    // rows of 40 (two vectors and an overlapping third), channel multiplier 2
        (4, 14, 14, 5, 1, 1),    // MobileNet v3's 5×5
        (3, 29, 31, 5, 2, 1),    // 5×5 stride 2, odd
        (3, 14, 18, 7, 1, 1),    // ConvNeXt's 7×7, padding 3
        (2, 3, 5, 7, 1, 1),      // a kernel wider and taller than the plane
        (3, 6, 2, 3, 1, 1),      // rows of 2: vectors spill over the next rows, the plane's last one stops at its end
    ];

    [Theory]
    [MemberData(nameof(Widths))]
    public void ForwardAndBothGradientsMatchFloat64(SimdWidth width)
    {
        var device = TestDevice.Default;
        var backend = new CpuBackend(device, width);
        foreach (var (c, h, w, kernel, stride, mult) in Shapes)
        {
            int pad = kernel / 2, cout = c * mult, k = 2;
            var g = new ConvGeometry(stride, stride, pad, pad, c);
            int[] xs = [1, c, h, w], ws = [cout, 1, kernel, kernel];
            int oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
            var rng = new Rng(c * 1000 + h * 31 + w + kernel * 7 + stride);
            var x = rng.Uniform(c * h * w);
            var wt = rng.Uniform(cout * kernel * kernel);
            var b = rng.Uniform(cout);
            var gys = Enumerable.Range(0, k).Select(_ => rng.Uniform(cout * oh * ow)).ToArray();
            string what = $"{width} c{c} {h}x{w} k{kernel} s{stride} x{mult}";

            using var xT = Tensor.FromArray(device, OpRunner.ToFloat(x), xs);
            using var wT = Tensor.FromArray(device, OpRunner.ToFloat(wt), ws);
            using var bT = Tensor.FromArray(device, OpRunner.ToFloat(b), cout);
            using var yT = Tensor.Empty(device, 1, cout, oh, ow);
            using var gyT = Tensor.FromArray(device, OpRunner.ToFloat(gys.SelectMany(v => v).ToArray()), k, cout, oh, ow);
            using var gxT = Tensor.Empty(device, k, c, h, w);
            using var gwT = Tensor.Empty(device, [k, .. ws]);
            backend.Conv2d(xT, wT, bT, yT, g);
            backend.Conv2dBackwardInput(gyT, wT, gxT, g);
            backend.Conv2dBackwardWeight(xT, gyT, gwT, g);

            Check.Close(yT.ToArray(), RefSpatial.Conv2d(x, xs, wt, ws, b, stride, stride, pad, pad, c), $"{what} forward");
            var (gx, gw) = (gxT.ToArray(), gwT.ToArray());
            for (int t = 0; t < k; t++)
            {
                var r = RefSpatial.Conv2dBackward(x, xs, wt, ws, gys[t], stride, stride, pad, pad, c);
                Check.Close(gx.AsSpan(t * x.Length, x.Length), r.Gx, $"{what} target {t} input gradient");
                Check.Close(gw.AsSpan(t * wt.Length, wt.Length), r.Gw, $"{what} target {t} weight gradient", atol: 1e-4);
            }
        }
    }

    [Theory]
    [InlineData(SimdWidth.Vector512, 7, SimdWidth.Vector256)]   // one vector either way: the narrower wastes fewer lanes
    [InlineData(SimdWidth.Vector512, 14, SimdWidth.Vector512)]  // one Vector512 instead of two Vector256
    [InlineData(SimdWidth.Vector512, 56, SimdWidth.Vector512)]
    [InlineData(SimdWidth.Vector256, 3, SimdWidth.Vector128)]
    [InlineData(SimdWidth.Vector128, 7, SimdWidth.Vector128)]
    [InlineData(SimdWidth.Scalar, 7, SimdWidth.Scalar)]
    public void RowWidthCoversARowInTheFewestVectors(SimdWidth widest, int ow, SimdWidth expected)
    {
        // Only meaningful where the hardware has the requested width (Resolve falls back otherwise).
        var resolved = Simd.Resolve(widest);
        var got = ConvDepthwise.RowWidth(widest, ow);
        if (resolved == widest) Assert.Equal(expected, got);
        else Assert.True(got == resolved || (int)got > (int)resolved, $"{widest} resolved to {resolved} gave {got}");
    }
}
