using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// The three conv backend methods called directly, on what the op tests do not reach in the SIMD backend's
/// paths: pixel tiles and gradient bands crossing their sizes (rows that do not divide them), channel counts
/// crossing the GEMM's blocking, 1×1 convs off the plain-GEMM path (stride 2, padding), the depth-wise loop's
/// vector tails and strides, K targets with N shared images, and sparse gradients (the nonzero-box skip).
/// Everything against the float64 references; positions the reference leaves exactly zero must be exactly zero.
/// </summary>
public abstract class CpuConvTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : CpuConvTests(TestDevice.Simd);
    public sealed class Ilgpu() : CpuConvTests(TestDevice.Ilgpu);

    [Theory]
    //          n  k cin  h   w cout kh kw sh sw ph pw groups
    [InlineData(1, 1, 64, 19, 21, 72, 3, 3, 1, 1, 1, 1, 1)]   // kdim 576 and 72 rows cross the GEMM's blocks; tiles end mid-row
    [InlineData(1, 2, 3, 40, 45, 8, 3, 3, 1, 1, 1, 1, 1)]     // many pixel tiles and bands, K = 2
    [InlineData(1, 1, 7, 48, 48, 6, 3, 3, 1, 1, 1, 1, 1)]     // weight gradient in pixel runs summed at the end (one run empty)
    [InlineData(2, 2, 5, 40, 40, 4, 3, 3, 1, 1, 1, 1, 1)]     // ... runs crossing images, K = 2 targets of N = 2
    [InlineData(2, 2, 96, 9, 35, 40, 1, 1, 1, 1, 0, 0, 1)]    // 1×1 plain GEMM: N = 2 shared by K = 2 targets
    [InlineData(2, 1, 12, 9, 11, 10, 1, 1, 2, 2, 0, 0, 1)]    // 1×1 stride 2: im2col path
    [InlineData(1, 2, 12, 7, 9, 10, 1, 1, 1, 1, 1, 1, 1)]     // 1×1 padding 1: im2col path, border rows of zeros
    [InlineData(1, 1, 8, 50, 50, 8, 1, 1, 1, 1, 0, 0, 1)]     // 1×1 over 2500 pixels: several pointwise tiles of unequal sliver counts
    [InlineData(2, 1, 8, 15, 41, 10, 3, 3, 2, 2, 1, 1, 2)]    // groups 2, stride 2
    [InlineData(1, 1, 3, 30, 34, 16, 6, 6, 2, 2, 2, 2, 1)]    // YOLOv5's 6×6 s2 p2 stem
    [InlineData(1, 1, 5, 16, 13, 7, 5, 3, 1, 2, 2, 0, 1)]     // non-square kernel and stride
    [InlineData(1, 1, 4, 6, 3, 5, 5, 5, 1, 1, 2, 2, 1)]       // "same" conv (shifted-plane im2col) with a kernel wider than the image
    [InlineData(1, 2, 6, 9, 14, 4, 3, 5, 1, 1, 1, 2, 1)]      // non-square "same" conv
    [InlineData(1, 1, 6, 17, 16, 5, 2, 2, 3, 3, 0, 0, 1)]     // stride > kernel: input pixels no window reads
    [InlineData(1, 1, 1, 20, 22, 16, 3, 3, 1, 1, 1, 1, 1)]    // one input channel, 16 outputs: GEMM, not depth-wise
    [InlineData(2, 2, 16, 23, 37, 16, 3, 3, 2, 2, 1, 1, 16)]  // depth-wise stride 2, vector + tail columns
    [InlineData(1, 1, 8, 9, 40, 8, 3, 3, 1, 1, 1, 1, 8)]      // depth-wise stride 1, rows of 40 (two vectors and a tail)
    [InlineData(1, 2, 4, 14, 20, 8, 3, 3, 3, 3, 1, 1, 4)]     // depth-wise stride 3, channel multiplier 2
    public void AllThreeMatchFloat64(int n, int k, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int groups)
    {
        var rng = new Rng(cin * 131 + h * 17 + w + kh * 7 + groups);
        Check3(rng, n, k, [n, cin, h, w], [cout, cin / groups, kh, kw], new ConvGeometry(sh, sw, ph, pw, groups),
            (t, len) => rng.Uniform(len));
    }

    // A per-detection CAM's gradient images: zero except a small window. Per target: one nonzero value, a small
    // box over a few channels, nothing at all, a box in the top-left corner, values on the bottom and right edges.
    [Theory]
    //          cin  h   w cout kh kw sh sw ph pw groups
    [InlineData(16, 20, 24, 24, 3, 3, 1, 1, 1, 1, 1)]
    [InlineData(16, 21, 23, 24, 3, 3, 2, 2, 1, 1, 1)]
    [InlineData(40, 20, 24, 24, 1, 1, 1, 1, 0, 0, 1)]
    [InlineData(16, 20, 24, 24, 3, 3, 1, 1, 1, 1, 2)]
    [InlineData(12, 21, 23, 12, 3, 3, 2, 2, 1, 1, 12)]
    [InlineData(12, 20, 24, 12, 3, 3, 1, 1, 1, 1, 12)]   // depth-wise stride 1: small boxes take the scatter, not the gather
    public void SparseGradientsMatchFloat64(int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int groups)
    {
        var rng = new Rng(cin + h + kh + sh + groups);
        var g = new ConvGeometry(sh, sw, ph, pw, groups);
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1, plane = oh * ow;
        double[] Sparse(int target, int len)
        {
            var gy = new double[len];
            void Set(int c, int oy, int ox) => gy[c * plane + oy * ow + ox] = rng.Uniform(1)[0];
            switch (target)
            {
                case 0: Set(cout / 2, oh / 2, ow / 3); break;
                case 1:
                    for (int c = 1; c < cout; c += 5)
                        for (int oy = 4; oy < 7; oy++)
                            for (int ox = 3; ox < 7; ox++) Set(c, oy, ox);
                    break;
                case 2: break;
                case 3: Set(0, 0, 0); Set(cout - 1, 1, 2); break;
                case 4: Set(2, oh - 1, ow / 2); Set(cout - 2, oh / 2, ow - 1); break;
            }
            return gy;
        }
        Check3(rng, 1, 5, [1, cin, h, w], [cout, cin / groups, kh, kw], g, Sparse);
    }

    /// <summary>
    /// Runs Conv2d, Conv2dBackwardInput and Conv2dBackwardWeight on the device under test with N images and K
    /// gradient targets (gy [K·N], x shared) and checks each against the float64 references, target by target.
    /// </summary>
    static void Check3(Rng rng, int n, int k, int[] xs, int[] ws, ConvGeometry g, Func<int, int, double[]> gradient)
    {
        var device = TestDevice.CurrentOrDefault;
        var (sh, sw, ph, pw, groups) = (g.StrideH, g.StrideW, g.PadH, g.PadW, g.Groups);
        int cout = ws[0], oh = (xs[2] + 2 * ph - ws[2]) / sh + 1, ow = (xs[3] + 2 * pw - ws[3]) / sw + 1;
        var x = rng.Uniform(Tensor.ShapeLength(xs));
        var w = rng.Uniform(Tensor.ShapeLength(ws));
        var b = rng.Uniform(cout);
        var y = RefSpatial.Conv2d(x, xs, w, ws, b, sh, sw, ph, pw, groups);
        var gys = Enumerable.Range(0, k).Select(t => gradient(t, y.Length)).ToArray();

        using var xt = Tensor.FromArray(device, OpRunner.ToFloat(x), xs);
        using var wt = Tensor.FromArray(device, OpRunner.ToFloat(w), ws);
        using var bt = Tensor.FromArray(device, OpRunner.ToFloat(b), cout);
        using var yt = Tensor.Empty(device, n, cout, oh, ow);
        using var gyt = Tensor.FromArray(device, OpRunner.ToFloat(gys.SelectMany(v => v).ToArray()), k * n, cout, oh, ow);
        using var gxt = Tensor.Empty(device, k * n, xs[1], xs[2], xs[3]);
        using var gwt = Tensor.Empty(device, [k, .. ws]);
        device.Backend.Conv2d(xt, wt, bt, yt, g);
        device.Backend.Conv2dBackwardInput(gyt, wt, gxt, g);
        device.Backend.Conv2dBackwardWeight(xt, gyt, gwt, g);

        Check.Close(yt.ToArray(), y, "forward");
        var (gx, gw) = (gxt.ToArray(), gwt.ToArray());
        for (int t = 0; t < k; t++)
        {
            var r = RefSpatial.Conv2dBackward(x, xs, w, ws, gys[t], sh, sw, ph, pw, groups);
            var gxk = gx.AsSpan(t * x.Length, x.Length);
            var gwk = gw.AsSpan(t * w.Length, w.Length);
            Check.Close(gxk, r.Gx, $"target {t} input gradient");
            Check.Close(gwk, r.Gw, $"target {t} weight gradient", atol: 1e-4);
            ExactlyZeroWhereReferenceIs(gxk, r.Gx, $"target {t} input gradient");
            ExactlyZeroWhereReferenceIs(gwk, r.Gw, $"target {t} weight gradient");
        }
    }

    static void ExactlyZeroWhereReferenceIs(ReadOnlySpan<float> got, double[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] == 0 && got[i] != 0f) Assert.Fail($"{what}: element {i} is {got[i]}, expected exactly 0");
    }
}
