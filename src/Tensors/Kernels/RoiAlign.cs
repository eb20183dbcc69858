using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// RoIAlign (torchvision.ops.roi_align) with a gather forward and a per-plane scatter backward: each backward work
// item owns one gradient channel plane of one target and adds the regions in index order, so there are no atomics
// and results are deterministic. The sample positions and weights repeat torchvision's CPU kernel in float32.
public sealed partial class IlgpuBackend
{
    /// <summary>x's images, channels and plane, the region count, the pooled size and the sampling rule.</summary>
    internal readonly struct RoiShape(int n, int c, int h, int w, int r, int ph, int pw, float scale, int sampling, int aligned)
    {
        public readonly int N = n, C = c, H = h, W = w, R = r, PH = ph, PW = pw, Sampling = sampling, Aligned = aligned;
        public readonly float Scale = scale;
    }

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiShape>? _roiAlign;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, RoiShape>? _roiAlignBackward;

    // One region's box in feature-map coordinates, its bin size and its sampling grid, as torchvision computes them.
    readonly struct RoiBox
    {
        public readonly float X0, Y0, BinW, BinH, Count;
        public readonly int GridW, GridH;

        public RoiBox(ArrayView<float> rois, int r, RoiShape s)
        {
            float offset = s.Aligned != 0 ? 0.5f : 0f;
            X0 = rois[r * 5 + 1] * s.Scale - offset;
            Y0 = rois[r * 5 + 2] * s.Scale - offset;
            float rw = rois[r * 5 + 3] * s.Scale - offset - X0, rh = rois[r * 5 + 4] * s.Scale - offset - Y0;
            if (s.Aligned == 0)
            {
                rw = XMath.Max(rw, 1f);
                rh = XMath.Max(rh, 1f);
            }
            BinH = rh / s.PH;
            BinW = rw / s.PW;
            GridH = s.Sampling > 0 ? s.Sampling : (int)XMath.Ceiling(rh / s.PH);
            GridW = s.Sampling > 0 ? s.Sampling : (int)XMath.Ceiling(rw / s.PW);
            Count = IntrinsicMath.Max(GridH * GridW, 1);
        }
    }

    /// <summary>The region's image, or −1 when its batch index is not a whole number inside x's batch.</summary>
    static int RoiImage(ArrayView<float> rois, int r, RoiShape s)
    {
        float b = rois[r * 5];
        return b >= 0 && b < s.N && b == (int)b ? (int)b : -1;
    }

    // torchvision's bilinear_interpolate: zero beyond one pixel outside the map, clamped to the border inside it.
    // Returns false for a sample that reads nothing; otherwise the top-left pixel (yLow, xLow), the step to the
    // bottom/right neighbour (0 on the last row/column) and the fractional parts ly, lx. The CPU backend calls it too.
    internal static bool Bilinear(float y, float x, int h, int w, out int yLow, out int xLow, out int dy, out int dx, out float ly, out float lx)
    {
        yLow = xLow = dy = dx = 0;
        ly = lx = 0;
        if (y < -1f || y > h || x < -1f || x > w) return false;
        if (y <= 0) y = 0;
        if (x <= 0) x = 0;
        yLow = (int)y;
        xLow = (int)x;
        if (yLow >= h - 1)
        {
            yLow = h - 1;
            y = yLow;
        }
        else dy = 1;
        if (xLow >= w - 1)
        {
            xLow = w - 1;
            x = xLow;
        }
        else dx = 1;
        ly = y - yLow;
        lx = x - xLow;
        return true;
    }

    // Work item: one output element (r, c, ph, pw), the mean of its bin's samples.
    static void RoiAlignKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> rois, ArrayView<float> y, RoiShape s)
    {
        for (int c0 = t * w.Chunk; c0 < w.N; c0 += w.Stride)
            for (int i = c0; i < w.End(c0); i++)
            {
                int pw = i % s.PW, q = i / s.PW;
                int ph = q % s.PH;
                q /= s.PH;
                int c = q % s.C, r = q / s.C;
                int b = RoiImage(rois, r, s);
                if (b < 0)
                {
                    y[i] = 0;
                    continue;
                }
                var box = new RoiBox(rois, r, s);
                int plane = (b * s.C + c) * s.H * s.W;
                float sum = 0;
                for (int iy = 0; iy < box.GridH; iy++)
                {
                    float yy = box.Y0 + ph * box.BinH + (iy + .5f) * box.BinH / box.GridH;
                    for (int ix = 0; ix < box.GridW; ix++)
                    {
                        float xx = box.X0 + pw * box.BinW + (ix + .5f) * box.BinW / box.GridW;
                        if (!Bilinear(yy, xx, s.H, s.W, out int yl, out int xl, out int dy, out int dx, out float ly, out float lx)) continue;
                        float hy = 1f - ly, hx = 1f - lx;
                        int p = plane + yl * s.W + xl;
                        sum += hy * hx * x[p] + hy * lx * x[p + dx] + ly * hx * x[p + dy * s.W] + ly * lx * x[p + dy * s.W + dx];
                    }
                }
                y[i] = sum / box.Count;
            }
    }

    // Work item: one (target k, channel c) gradient plane set: zero gx[k·N + n, c] for every image n, then scatter
    // every region's bins onto its image, regions in index order.
    static void RoiAlignBackwardKernel(Index1D t, Work w, ArrayView<float> rois, ArrayView<float> gy, ArrayView<float> gx, int targets, RoiShape s)
    {
        int hw = s.H * s.W, bins = s.PH * s.PW;
        for (int c0 = t * w.Chunk; c0 < w.N; c0 += w.Stride)
            for (int i = c0; i < w.End(c0); i++)
            {
                int c = i % s.C, k = i / s.C;
                for (int n = 0; n < s.N; n++)
                {
                    int plane = ((k * s.N + n) * s.C + c) * hw;
                    for (int j = 0; j < hw; j++) gx[plane + j] = 0;
                }
                for (int r = 0; r < s.R; r++)
                {
                    int b = RoiImage(rois, r, s);
                    if (b < 0) continue;
                    var box = new RoiBox(rois, r, s);
                    int plane = ((k * s.N + b) * s.C + c) * hw, gyPlane = ((k * s.R + r) * s.C + c) * bins;
                    for (int ph = 0; ph < s.PH; ph++)
                        for (int pw = 0; pw < s.PW; pw++)
                        {
                            float g = gy[gyPlane + ph * s.PW + pw];
                            for (int iy = 0; iy < box.GridH; iy++)
                            {
                                float yy = box.Y0 + ph * box.BinH + (iy + .5f) * box.BinH / box.GridH;
                                for (int ix = 0; ix < box.GridW; ix++)
                                {
                                    float xx = box.X0 + pw * box.BinW + (ix + .5f) * box.BinW / box.GridW;
                                    if (!Bilinear(yy, xx, s.H, s.W, out int yl, out int xl, out int dy, out int dx, out float ly, out float lx)) continue;
                                    float hy = 1f - ly, hx = 1f - lx;
                                    int p = plane + yl * s.W + xl;
                                    gx[p] += g * (hy * hx) / box.Count;
                                    gx[p + dx] += g * (hy * lx) / box.Count;
                                    gx[p + dy * s.W] += g * (ly * hx) / box.Count;
                                    gx[p + dy * s.W + dx] += g * (ly * lx) / box.Count;
                                }
                            }
                        }
                }
            }
    }

    static RoiShape Roi(string what, Tensor x, Tensor rois, Tensor pooled, RoiAlignGeometry g, out int targets)
    {
        var (n, c, h, w, r, k) = RoiAlignChecks.Shapes(what, x, rois, pooled, g);
        targets = k;
        return new RoiShape(n, c, h, w, r, g.PooledH, g.PooledW, g.SpatialScale, g.SamplingRatio, g.Aligned ? 1 : 0);
    }

    public void RoiAlign(Tensor x, Tensor rois, Tensor y, RoiAlignGeometry g)
    {
        var s = Roi("roi_align", x, rois, y, g, out int k);
        Require(k == 1, $"roi_align: output {Tensor.Format(y.Shape)} must hold exactly the {s.R} regions");
        var (threads, w) = Plan(y.Length);
        if (threads == 0) return;
        _roiAlign ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiShape>(RoiAlignKernel);
        _roiAlign(threads, w, x.View, rois.View, y.View, s);
    }

    public void RoiAlignBackward(Tensor rois, Tensor gy, Tensor gx, RoiAlignGeometry g)
    {
        var s = Roi("roi_align backward", gx, rois, gy, g, out int k);
        Require(s.N % k == 0, $"roi_align backward: gradient {Tensor.Format(gx.Shape)} is not {k} targets' images");
        s = new RoiShape(s.N / k, s.C, s.H, s.W, s.R, s.PH, s.PW, s.Scale, s.Sampling, s.Aligned);
        var (threads, w) = Plan(k * s.C);
        if (threads == 0) return;
        _roiAlignBackward ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, RoiShape>(RoiAlignBackwardKernel);
        _roiAlignBackward(threads, w, rois.View, gy.View, gx.View, k, s);
    }
}
