using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Max pooling (−∞ padding, PyTorch's first-maximum tie rule) and nearest upsampling, with gather-style backward
// kernels: every gradient element is owned by one work item, so there are no atomics and results are deterministic.
public sealed partial class IlgpuBackend
{
    /// <summary>Planes (images × channels) of H×W pooled by a k×k window with stride s and padding p into OH×OW.</summary>
    internal readonly struct PoolShape(int planes, int h, int w, int oh, int ow, int k, int s, int p)
    {
        public readonly int Planes = planes, H = h, W = w, OH = oh, OW = ow, K = k, S = s, P = p;
    }

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int, PoolShape>? _maxPool;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolShape>? _maxPoolBackward;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int, int>? _upsample;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int, int>? _upsampleBackward;

    // Work item: one output element; it scans its window row by row. A later element replaces the maximum only
    // if strictly greater (or NaN, which PyTorch propagates), so the first maximum wins ties. writeArgmax = 1
    // stores the winner's position iy·W + ix instead of its value.
    static void MaxPoolKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> y, int writeArgmax, PoolShape s)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int ox = i % s.OW, r = i / s.OW;
                int oy = r % s.OH, plane = r / s.OH;
                int xPlane = plane * s.H * s.W;
                float best = float.NegativeInfinity;
                int arg = -1;
                for (int ky = 0; ky < s.K; ky++)
                {
                    int iy = oy * s.S - s.P + ky;
                    if ((uint)iy >= (uint)s.H) continue;
                    for (int kx = 0; kx < s.K; kx++)
                    {
                        int ix = ox * s.S - s.P + kx;
                        if ((uint)ix >= (uint)s.W) continue;
                        float v = x[xPlane + iy * s.W + ix];
                        if (arg < 0 || v > best || XMath.IsNaN(v))
                        {
                            best = v;
                            arg = iy * s.W + ix;
                        }
                    }
                }
                y[i] = writeArgmax != 0 ? arg : best;
            }
    }

    // Work item: one input-gradient element (of the K·B gradient images). It visits the windows that contain it,
    // oy in [ceil((iy + p − k + 1)/s), floor((iy + p)/s)], and adds their gradient where it was the argmax.
    static void MaxPoolBackwardKernel(Index1D t, Work w, ArrayView<float> argmax, ArrayView<float> gy, ArrayView<float> gx, PoolShape s)
    {
        int outPlane = s.OH * s.OW;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int ix = i % s.W, r = i / s.W;
                int iy = r % s.H, plane = r / s.H;
                int gyPlane = plane * outPlane, argPlane = (plane % s.Planes) * outPlane;
                float own = iy * s.W + ix;
                int oyLo = IntrinsicMath.Max(0, (iy + s.P - s.K + s.S) / s.S), oyHi = IntrinsicMath.Min(s.OH - 1, (iy + s.P) / s.S);
                int oxLo = IntrinsicMath.Max(0, (ix + s.P - s.K + s.S) / s.S), oxHi = IntrinsicMath.Min(s.OW - 1, (ix + s.P) / s.S);
                float sum = 0;
                for (int oy = oyLo; oy <= oyHi; oy++)
                    for (int ox = oxLo; ox <= oxHi; ox++)
                    {
                        int o = oy * s.OW + ox;
                        if (argmax[argPlane + o] == own) sum += gy[gyPlane + o];
                    }
                gx[i] = sum;
            }
    }

    // Work item: one output pixel, copied from the input pixel it sits in.
    static void UpsampleKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> y, int h, int wd, int scale)
    {
        int ow = wd * scale, oh = h * scale;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int ox = i % ow, r = i / ow;
                int oy = r % oh, plane = r / oh;
                y[i] = x[(plane * h + oy / scale) * wd + ox / scale];
            }
    }

    // Work item: one input-gradient pixel, summing the scale×scale output pixels it was copied to.
    static void UpsampleBackwardKernel(Index1D t, Work w, ArrayView<float> gy, ArrayView<float> gx, int h, int wd, int scale)
    {
        int ow = wd * scale, oh = h * scale;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int ix = i % wd, r = i / wd;
                int iy = r % h, plane = r / h;
                int start = (plane * oh + iy * scale) * ow + ix * scale;
                float sum = 0;
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) sum += gy[start + dy * ow + dx];
                gx[i] = sum;
            }
    }

    /// <summary>Checks a pooling geometry: x [.., H, W] into y [.., OH, OW] with OH = (H + 2p − k)/s + 1 (rounded up in ceil mode).</summary>
    static PoolShape Pooling(string what, Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode, bool sameBatch = true)
    {
        var (planes, h, w, oh, ow) = BackendChecks.Pooling(what, x, y, kernel, stride, padding, ceilMode, sameBatch);
        return new PoolShape(planes, h, w, oh, ow, kernel, stride, padding);
    }

    // Ceil mode changes only the output size: the kernels clip every window to the plane.
    void MaxPool(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode, bool argmax)
    {
        var s = Pooling("maxpool2d", x, y, kernel, stride, padding, ceilMode);
        var (threads, w) = Plan(y.Length);
        if (threads == 0) return;
        _maxPool ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, PoolShape>(MaxPoolKernel);
        _maxPool(threads, w, x.View, y.View, argmax ? 1 : 0, s);
    }

    public void MaxPool2d(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode = false) =>
        MaxPool(x, y, kernel, stride, padding, ceilMode, false);

    public void MaxPool2dArgmax(Tensor x, Tensor argmax, int kernel, int stride, int padding, bool ceilMode = false) =>
        MaxPool(x, argmax, kernel, stride, padding, ceilMode, true);

    public void MaxPool2dBackward(Tensor argmax, Tensor gy, Tensor gx, int kernel, int stride, int padding, bool ceilMode = false)
    {
        // argmax has the output's geometry; the pooling shape is that of gx → gy, with argmax's plane count.
        var s = Pooling("maxpool2d backward", gx, gy, kernel, stride, padding, ceilMode);
        TargetCount(argmax, gy, "maxpool2d backward");
        Require(argmax.Shape[^2] == s.OH && argmax.Shape[^1] == s.OW, $"maxpool2d backward: argmax {Tensor.Format(argmax.Shape)} for gradient {Tensor.Format(gy.Shape)}");
        s = new PoolShape(argmax.Length / (s.OH * s.OW), s.H, s.W, s.OH, s.OW, kernel, stride, padding);
        var (threads, w) = Plan(gx.Length);
        if (threads == 0) return;
        _maxPoolBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolShape>(MaxPoolBackwardKernel);
        _maxPoolBackward(threads, w, argmax.View, gy.View, gx.View, s);
    }

    static (int H, int W) Upsampled(string what, Tensor small, Tensor large, int scale)
    {
        Require(scale >= 1, $"{what}: scale {scale} must be a positive integer");
        Require(small.Rank >= 3 && large.Rank >= 3 && large.Shape[^2] == small.Shape[^2] * scale && large.Shape[^1] == small.Shape[^1] * scale
                && (long)small.Length * scale * scale == large.Length,
            $"{what}: {Tensor.Format(large.Shape)} is not {Tensor.Format(small.Shape)} upsampled by {scale}");
        return (small.Shape[^2], small.Shape[^1]);
    }

    public void Upsample(Tensor x, Tensor y, int scale)
    {
        var (h, wd) = Upsampled("upsample", x, y, scale);
        var (threads, w) = Plan(y.Length);
        if (threads == 0) return;
        _upsample ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int, int>(UpsampleKernel);
        _upsample(threads, w, x.View, y.View, h, wd, scale);
    }

    public void UpsampleBackward(Tensor gy, Tensor gx, int scale)
    {
        var (h, wd) = Upsampled("upsample backward", gx, gy, scale);
        var (threads, w) = Plan(gx.Length);
        if (threads == 0) return;
        _upsampleBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int, int, int>(UpsampleBackwardKernel);
        _upsampleBackward(threads, w, gy.View, gx.View, h, wd, scale);
    }
}
