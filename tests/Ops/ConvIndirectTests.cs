using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// The SIMD backend's indirect-GEMM conv forward (src/Tensors/Cpu/ConvIndirect.cs), each micro-kernel path forced
/// in turn, in both of its modes (a run per output row; flat runs over the padded width for stride 1), against the
/// float64 reference, with and without the fused activation. Each shape is checked to take the indirect path.
/// The input copy is per-thread scratch reused across calls (issue #18): a call must rewrite all of it that it reads.
/// </summary>
public sealed class ConvIndirectTests : IDisposable
{
    public ConvIndirectTests() => Sgemm.Override = Sgemm.Path.Auto;

    public void Dispose() => Sgemm.Override = Sgemm.Path.Auto;

    public static IEnumerable<object[]> Cases()
    {
        // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, groups
        int[][] shapes =
        [
            [1, 3, 20, 64, 16, 6, 6, 2, 2, 2, 2, 1],   // YOLOv5's stem, rows of whole tiles
            [2, 5, 13, 61, 12, 3, 3, 2, 2, 1, 1, 1],   // stride 2, a partial last tile, 12 channels (not a whole sliver), 2 images
            [1, 40, 9, 32, 8, 3, 3, 1, 1, 1, 1, 1],    // stride 1 with whole tiles: row mode; K = 360 crosses a K block
            [1, 7, 11, 45, 9, 3, 3, 1, 1, 1, 1, 1],    // stride 1, ragged rows: flat mode
            [1, 6, 8, 47, 8, 3, 5, 1, 1, 0, 2, 1],     // flat mode, non-square kernel, no vertical padding
            [2, 8, 10, 46, 16, 3, 3, 1, 1, 1, 1, 2],   // groups
        ];
        foreach (var path in new[] { "Vector512", "Vector256", "Vector128", "Scalar" })
            foreach (var s in shapes)
                yield return [path, s];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesFloat64(string pathName, int[] shape)
    {
        Sgemm.Override = Runnable(pathName);
        Forward(pathName, shape);
    }

    /// <summary>
    /// YOLO's 16→32 3×3/2 (issue #18; 24 rows of the 240×320 input), then the 6×6 stem, then the first again, each
    /// with the thread's reused input-copy scratch filled with NaN first: any value a call reads without having
    /// written it in this call (padding, phase tails, slack) turns its outputs into NaN.
    /// </summary>
    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    [InlineData("Scalar")]
    public unsafe void ReusedInputCopyLeavesNoStaleValues(string pathName)
    {
        Sgemm.Override = Runnable(pathName);
        int[] strided = [1, 16, 24, 320, 32, 3, 3, 2, 2, 1, 1, 1], stem = [1, 3, 20, 64, 16, 6, 6, 2, 2, 2, 2, 1];
        const long floats = 1 << 20; // more than either call's copy (16 channels × 2 phases × 25 × 161 floats)
        foreach (var shape in new[] { strided, stem, strided })
        {
            new Span<float>(ConvScratch.Get(ConvScratch.Input, floats), (int)floats).Fill(float.NaN);
            Forward(pathName, shape);
        }
    }

    /// <summary>The path to force for <paramref name="pathName"/>: the scalar kernel where this machine cannot run it
    /// (its order of additions covers the wider ones).</summary>
    static Sgemm.Path Runnable(string pathName)
    {
        var path = Enum.Parse<Sgemm.Path>(pathName);
        if (path == Sgemm.Path.Vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
            || path == Sgemm.Path.Vector256 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated
            || path == Sgemm.Path.Vector128 && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            path = Sgemm.Path.Scalar;
        return path;
    }

    /// <summary>One shape's forward, plain and with a fused ReLU, on the forced path against the float64 reference.</summary>
    static void Forward(string pathName, int[] shape)
    {
        var (n, cin, h, w, cout, kh, kw) = (shape[0], shape[1], shape[2], shape[3], shape[4], shape[5], shape[6]);
        var g = new ConvGeometry(shape[7], shape[8], shape[9], shape[10], shape[11]);
        int oh = (h + 2 * g.PadH - kh) / g.StrideH + 1, ow = (w + 2 * g.PadW - kw) / g.StrideW + 1;
        var rng = new Rng(cin * 31 + w + kh + g.Groups);
        int[] xs = [n, cin, h, w], ws = [cout, cin / g.Groups, kh, kw];
        var x = rng.Uniform(n * cin * h * w);
        var wt = rng.Uniform(Tensor.ShapeLength(ws));
        var b = rng.Uniform(cout);
        var expected = RefSpatial.Conv2d(x, xs, wt, ws, b, g.StrideH, g.StrideW, g.PadH, g.PadW, g.Groups);

        var dims = new ConvDims(n, cin, h, w, n, cout, oh, ow, kh, kw, g);
        Assert.True(ConvIndirect.Suits(dims), $"{pathName} {string.Join(",", shape)} does not take the indirect path");
        var device = TestDevice.Simd;
        using var xt = Tensor.FromArray(device, OpRunner.ToFloat(x), xs);
        using var wtt = Tensor.FromArray(device, OpRunner.ToFloat(wt), ws);
        using var bt = Tensor.FromArray(device, OpRunner.ToFloat(b), cout);
        using var y = Tensor.Empty(device, n, cout, oh, ow);
        using var y2 = Tensor.Empty(device, n, cout, oh, ow);
        using var act = Tensor.Empty(device, n, cout, oh, ow);
        device.Backend.Conv2d(xt, wtt, bt, y, g);
        device.Backend.Conv2dActivation(xt, wtt, bt, y2, act, g, UnaryOp.Relu);
        Check.Close(y.ToArray(), expected, $"{pathName} forward");
        Check.Close(y2.ToArray(), expected, $"{pathName} forward before the activation");
        Check.Close(act.ToArray(), expected.Select(v => Math.Max(v, 0)).ToArray(), $"{pathName} relu(forward)");
    }
}
