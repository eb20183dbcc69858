using System.Buffers;
using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// Max pooling (−∞ padding, PyTorch's first-maximum tie rule), nearest upsampling and the channel-slab copy of
// concat, over planes of NCHW tensors; each work item owns whole output rows or planes, so results do not
// depend on the split. Semantics and validation follow Kernels/Pooling.cs and Kernels/Concat.cs.
public sealed unsafe partial class CpuBackend
{
    public void MaxPool2d(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode = false) =>
        MaxPool(x, y, kernel, stride, padding, ceilMode, false);

    public void MaxPool2dArgmax(Tensor x, Tensor argmax, int kernel, int stride, int padding, bool ceilMode = false) =>
        MaxPool(x, argmax, kernel, stride, padding, ceilMode, true);

    // Ceil mode changes only the output size: every path clips its windows to the plane, and at stride 1 (the
    // separable path) ceil and floor sizes are equal.
    void MaxPool(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode, bool argmax)
    {
        var s = Pooling("maxpool2d", x, y, kernel, stride, padding, ceilMode);
        Simd.For(_width, s.Planes, Simd.PerRange((long)s.H * s.W * kernel), new MaxPoolPlanes(x.Pointer, y.Pointer, s, argmax));
    }

    /// <summary>
    /// A scatter per gradient plane (K·B·C planes, argmax read at plane mod B·C): zero the plane, then add each
    /// output gradient at its argmax in output order. That is the sum the contract's gather computes, in the same
    /// order, at O(OH·OW) instead of O(H·W·k²/s²). Argmax values that are not a position of the plane are ignored.
    /// </summary>
    public void MaxPool2dBackward(Tensor argmax, Tensor gy, Tensor gx, int kernel, int stride, int padding, bool ceilMode = false)
    {
        var s = Pooling("maxpool2d backward", gx, gy, kernel, stride, padding, ceilMode);
        TargetCount(argmax, gy, "maxpool2d backward");
        Require(argmax.Shape[^2] == s.OH && argmax.Shape[^1] == s.OW, $"maxpool2d backward: argmax {Tensor.Format(argmax.Shape)} for gradient {Tensor.Format(gy.Shape)}");
        int argPlanes = argmax.Length / (s.OH * s.OW);
        Simd.For(_width, s.Planes, Simd.PerRange((long)s.H * s.W), new MaxPoolBackwardPlanes(argmax.Pointer, argPlanes, gy.Pointer, gx.Pointer, s));
    }

    public void Upsample(Tensor x, Tensor y, int scale)
    {
        var (h, w) = Upsampled("upsample", x, y, scale);
        if (x.Length == 0) return;
        Simd.For(_width, x.Length / w, Simd.PerRange((long)w * scale * scale), new UpsampleRows(x.Pointer, y.Pointer, w, scale));
    }

    public void UpsampleBackward(Tensor gy, Tensor gx, int scale)
    {
        var (h, w) = Upsampled("upsample backward", gx, gy, scale);
        if (gx.Length == 0) return;
        Simd.For(_width, gx.Length / w, Simd.PerRange((long)w * scale * scale), new UpsampleBackwardRows(gy.Pointer, gx.Pointer, w, scale));
    }

    /// <summary>Block copies of each image's slab of channels·inner contiguous floats, in pieces of at most 64K floats.</summary>
    public void CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner)
    {
        int batch = BackendChecks.CopyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, channels, inner), slab = channels * inner;
        if (batch == 0 || slab == 0) return;
        const int piece = 65536;
        int pieces = (slab + piece - 1) / piece;
        float* s = src.Pointer + (long)srcOffset * inner, d = dst.Pointer + (long)dstOffset * inner;
        long srcImage = (long)srcChannels * inner, dstImage = (long)dstChannels * inner;
        CpuParallel.For(batch * pieces, Math.Max(1, 4 * ElementsPerRange / Math.Min(slab, piece)), (start, end) =>
        {
            for (int item = start; item < end; item++)
            {
                int b = item / pieces, from = item % pieces * piece, n = Math.Min(piece, slab - from);
                Buffer.MemoryCopy(s + b * srcImage + from, d + b * dstImage + from, (long)n * sizeof(float), (long)n * sizeof(float));
            }
        });
    }

    /// <summary>Checks a pooling geometry: x [.., H, W] into y [.., OH, OW] with OH = (H + 2p − k)/s + 1 (rounded up in ceil mode).</summary>
    static PoolShape Pooling(string what, Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode)
    {
        var (planes, h, w, oh, ow) = BackendChecks.Pooling(what, x, y, kernel, stride, padding, ceilMode);
        return new PoolShape(planes, h, w, oh, ow, kernel, stride, padding);
    }

    static (int H, int W) Upsampled(string what, Tensor small, Tensor large, int scale)
    {
        Require(scale >= 1, $"{what}: scale {scale} must be a positive integer");
        Require(small.Rank >= 3 && large.Rank >= 3 && large.Shape[^2] == small.Shape[^2] * scale && large.Shape[^1] == small.Shape[^1] * scale
                && (long)small.Length * scale * scale == large.Length,
            $"{what}: {Tensor.Format(large.Shape)} is not {Tensor.Format(small.Shape)} upsampled by {scale}");
        return (small.Shape[^2], small.Shape[^1]);
    }
}

/// <summary>Planes of H×W pooled by a k×k window with stride S and padding P into OH×OW.</summary>
internal readonly record struct PoolShape(int Planes, int H, int W, int OH, int OW, int K, int S, int P);

/// <summary>
/// Max pooling of whole planes. A later element replaces the best only if strictly greater or NaN (PyTorch
/// propagates NaN), so the first maximum in row-major window order wins ties. Stride 1 (YOLO's SPPF: k = 5,
/// p = 2) is separable and vectorised along x: a row pass takes the maximum of k neighbours (with its column),
/// then a column pass the maximum of the k row results (with its row). Ties and NaNs resolve as in the direct
/// scan: the row pass keeps the first maximum of its row, the column pass the first row holding the window
/// maximum. The row pass reads a copy of the row padded with P copies of its end values, each standing for the
/// end position: a copy never beats its original (equal, and after it on the right) and on the left it stands
/// in for it, so values and positions are those of the clipped window, with no border case. Other strides scan
/// each window directly.
/// </summary>
internal readonly unsafe struct MaxPoolPlanes(float* x, float* y, PoolShape s, bool argmax) : ISimdKernel
{
    readonly float* _x = x, _y = y;
    readonly PoolShape _s = s;
    readonly bool _argmax = argmax;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        var s = _s;
        if (s.S != 1)
        {
            for (int plane = start; plane < end; plane++) Direct(_x + (long)plane * s.H * s.W, _y + (long)plane * s.OH * s.OW);
            return;
        }
        // Row-pass results: value and position (iy·W + ix, exact as a float below 2^24) per (iy, ox); the padded row.
        int size = s.H * s.OW;
        var buffer = ArrayPool<float>.Shared.Rent(2 * size + s.W + 2 * s.P);
        fixed (float* rowMax = buffer)
        {
            float* rowArg = rowMax + size, padded = rowArg + size;
            for (int plane = start; plane < end; plane++)
            {
                float* x = _x + (long)plane * s.H * s.W, y = _y + (long)plane * s.OH * s.OW;
                for (int iy = 0; iy < s.H; iy++)
                {
                    float* row = x + iy * s.W;
                    for (int j = 0; j < s.P; j++)
                    {
                        padded[j] = row[0];
                        padded[s.P + s.W + j] = row[s.W - 1];
                    }
                    Buffer.MemoryCopy(row, padded + s.P, s.W * sizeof(float), s.W * sizeof(float));
                    switch (Lanes<V>(s.OW))
                    {
                        case 1: RowPass<V1>(padded, iy * s.W, rowMax + iy * s.OW, rowArg + iy * s.OW); break;
                        case 4: RowPass<V128>(padded, iy * s.W, rowMax + iy * s.OW, rowArg + iy * s.OW); break;
                        case 8: RowPass<V256>(padded, iy * s.W, rowMax + iy * s.OW, rowArg + iy * s.OW); break;
                        default: RowPass<V>(padded, iy * s.W, rowMax + iy * s.OW, rowArg + iy * s.OW); break;
                    }
                }
                for (int oy = 0; oy < s.OH; oy++)
                {
                    int iy0 = Math.Max(0, oy - s.P), iy1 = Math.Min(s.H - 1, oy - s.P + s.K - 1);
                    switch (Lanes<V>(s.OW))
                    {
                        case 1: ColumnPass<V1>(rowMax, rowArg, iy0, iy1, y + oy * s.OW); break;
                        case 4: ColumnPass<V128>(rowMax, rowArg, iy0, iy1, y + oy * s.OW); break;
                        case 8: ColumnPass<V256>(rowMax, rowArg, iy0, iy1, y + oy * s.OW); break;
                        default: ColumnPass<V>(rowMax, rowArg, iy0, iy1, y + oy * s.OW); break;
                    }
                }
            }
        }
        ArrayPool<float>.Shared.Return(buffer);
    }

    /// <summary>The lanes rows of <paramref name="width"/> outputs run with: V's, or for rows narrower than V the
    /// widest narrower vector they fill (SPPF's 15-pixel rows at 480 wide under Vector512 take Vector256: one lane
    /// at a time was 6× slower), else 1.</summary>
    static int Lanes<V>(int width) where V : unmanaged, IVec<V>
    {
        if (width >= V.Count) return V.Count;
        if (V.Count > V256.Count && width >= V256.Count && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return V256.Count;
        if (V.Count > V128.Count && width >= V128.Count && System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) return V128.Count;
        return 1;
    }

    /// <summary>
    /// Window ox covers padded[ox .. ox + K), positions clamped into the row. Vectors of windows, the last one
    /// overlapping the previous when OW is ragged (recomputing a window gives the same result); OW ≥ Count.
    /// </summary>
    [MethodImpl(Simd.Hot)]
    void RowPass<V>(float* padded, int rowStart, float* rowMax, float* rowArg) where V : unmanaged, IVec<V>
    {
        var s = _s;
        V lanes = V.Lanes, first = V.Splat(0f), last = V.Splat(s.W - 1), start = V.Splat(rowStart);
        for (int ox = 0; ; ox += V.Count)
        {
            ox = Math.Min(ox, s.OW - V.Count);
            float* p = padded + ox;
            V best = V.Load(p), arg = V.Splat(ox - s.P) + lanes;
            for (int kx = 1; kx < s.K; kx++)
            {
                var v = V.Load(p + kx);
                var take = V.Or(V.Greater(v, best), V.IsNaN(v));
                best = V.Select(take, v, best);
                if (_argmax) arg = V.Select(take, V.Splat(ox - s.P + kx) + lanes, arg);
            }
            V.Store(best, rowMax + ox);
            if (_argmax) V.Store(start + V.Min(V.Max(arg, first), last), rowArg + ox);
            if (ox + V.Count >= s.OW) break;
        }
    }

    /// <summary>One output row from the row results of rows iy0..iy1, in vectors (OW ≥ Count; the last overlaps).</summary>
    [MethodImpl(Simd.Hot)]
    void ColumnPass<V>(float* rowMax, float* rowArg, int iy0, int iy1, float* y) where V : unmanaged, IVec<V>
    {
        int ow = _s.OW;
        for (int ox = 0; ; ox += V.Count)
        {
            ox = Math.Min(ox, ow - V.Count);
            V best = V.Load(rowMax + iy0 * ow + ox), arg = _argmax ? V.Load(rowArg + iy0 * ow + ox) : best;
            for (int iy = iy0 + 1; iy <= iy1; iy++)
            {
                var v = V.Load(rowMax + iy * ow + ox);
                var take = V.Or(V.Greater(v, best), V.IsNaN(v));
                best = V.Select(take, v, best);
                if (_argmax) arg = V.Select(take, V.Load(rowArg + iy * ow + ox), arg);
            }
            V.Store(_argmax ? arg : best, y + ox);
            if (ox + V.Count >= ow) break;
        }
    }

    /// <summary>Any stride: each output scans its window (clipped to the plane) in row-major order.</summary>
    [MethodImpl(Simd.Hot)]
    void Direct(float* x, float* y)
    {
        var s = _s;
        for (int oy = 0; oy < s.OH; oy++)
        {
            int iy0 = Math.Max(0, oy * s.S - s.P), iy1 = Math.Min(s.H - 1, oy * s.S - s.P + s.K - 1);
            for (int ox = 0; ox < s.OW; ox++)
            {
                int ix0 = Math.Max(0, ox * s.S - s.P), ix1 = Math.Min(s.W - 1, ox * s.S - s.P + s.K - 1);
                float best = float.NegativeInfinity;
                int arg = -1;
                for (int iy = iy0; iy <= iy1; iy++)
                    for (int ix = ix0; ix <= ix1; ix++)
                    {
                        float v = x[iy * s.W + ix];
                        if (arg < 0 || v > best || float.IsNaN(v)) { best = v; arg = iy * s.W + ix; }
                    }
                y[oy * s.OW + ox] = _argmax ? arg : best;
            }
        }
    }
}

internal readonly unsafe struct MaxPoolBackwardPlanes(float* argmax, int argPlanes, float* gy, float* gx, PoolShape s) : ISimdKernel
{
    readonly float* _argmax = argmax, _gy = gy, _gx = gx;
    readonly int _argPlanes = argPlanes;
    readonly PoolShape _s = s;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int plane = _s.H * _s.W, outPlane = _s.OH * _s.OW;
        for (int p = start; p < end; p++)
        {
            float* gx = _gx + (long)p * plane, gy = _gy + (long)p * outPlane, arg = _argmax + (long)(p % _argPlanes) * outPlane;
            Simd.Fill<V>(gx, plane, 0f);
            for (int o = 0; o < outPlane; o++)
            {
                int at = (int)arg[o];
                if (at == arg[o] && (uint)at < (uint)plane) gx[at] += gy[o];
            }
        }
    }
}

/// <summary>Item = one input row: its upsampled row is built once (each value repeated scale times), then copied to the other scale − 1 output rows.</summary>
internal readonly unsafe struct UpsampleRows(float* x, float* y, int w, int scale) : ISimdKernel
{
    readonly float* _x = x, _y = y;
    readonly int _w = w, _scale = scale;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int w = _w, s = _scale, ow = w * s;
        for (int row = start; row < end; row++)
        {
            float* x = _x + (long)row * w, y = _y + (long)row * s * ow;
            if (s == 2)
            {
                int ix = Repeat2<V>(x, y, 0, w);
                Repeat2<V1>(x, y, ix, w);
            }
            else
                for (int ix = 0; ix < w; ix++)
                    for (int d = 0; d < s; d++) y[ix * s + d] = x[ix];
            for (int dy = 1; dy < s; dy++) Buffer.MemoryCopy(y, y + dy * ow, (long)ow * sizeof(float), (long)ow * sizeof(float));
        }
    }

    [MethodImpl(Simd.Hot)]
    static int Repeat2<V>(float* x, float* y, int ix, int w) where V : unmanaged, IVec<V>
    {
        for (; ix <= w - V.Count; ix += V.Count)
        {
            var v = V.Load(x + ix);
            V.Store(V.RepeatLow(v), y + 2 * ix);
            V.Store(V.RepeatHigh(v), y + 2 * ix + V.Count);
        }
        return ix;
    }
}

/// <summary>
/// Item = one row of gx: gx[iy, ix] = Σ_{dy, dx &lt; s} gy[iy·s + dy, ix·s + dx], summed from 0 in (dy, dx) order as the
/// ILGPU kernel does. Scale 2 splits each gy row into its even and odd columns with a shuffle.
/// </summary>
internal readonly unsafe struct UpsampleBackwardRows(float* gy, float* gx, int w, int scale) : ISimdKernel
{
    readonly float* _gy = gy, _gx = gx;
    readonly int _w = w, _scale = scale;

    [MethodImpl(Simd.Hot)]
    public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
    {
        int w = _w, s = _scale, ow = w * s;
        for (int row = start; row < end; row++)
        {
            float* gx = _gx + (long)row * w, gy = _gy + (long)row * s * ow;
            if (s == 2)
            {
                int ix = Fold2<V>(gy, ow, gx, 0, w);
                Fold2<V1>(gy, ow, gx, ix, w);
                continue;
            }
            for (int ix = 0; ix < w; ix++)
            {
                float sum = 0;
                for (int dy = 0; dy < s; dy++)
                    for (int dx = 0; dx < s; dx++) sum += gy[dy * ow + ix * s + dx];
                gx[ix] = sum;
            }
        }
    }

    [MethodImpl(Simd.Hot)]
    static int Fold2<V>(float* gy, int ow, float* gx, int ix, int w) where V : unmanaged, IVec<V>
    {
        for (; ix <= w - V.Count; ix += V.Count)
        {
            float* r0 = gy + 2 * ix, r1 = r0 + ow;
            V a0 = V.Load(r0), b0 = V.Load(r0 + V.Count), a1 = V.Load(r1), b1 = V.Load(r1 + V.Count);
            var sum = V.Splat(0f) + V.Evens(a0, b0) + V.Odds(a0, b0) + V.Evens(a1, b1) + V.Odds(a1, b1);
            V.Store(sum, gx + ix);
        }
        return ix;
    }
}
