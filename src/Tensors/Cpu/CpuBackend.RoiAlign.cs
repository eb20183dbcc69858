namespace NativeCam.Tensors;

// RoIAlign on the CPU: the same float32 sample positions, weights and summation order as the ILGPU kernels
// (Kernels/RoiAlign.cs), so both backends agree bit for bit. Forward ranges are whole (region, channel) planes of
// the output; backward ranges are whole (target, channel) gradient planes, each summing regions in index order.
public sealed unsafe partial class CpuBackend
{
    public void RoiAlign(Tensor x, Tensor rois, Tensor y, RoiAlignGeometry g)
    {
        var (n, c, h, w, r, k) = RoiAlignChecks.Shapes("roi_align", x, rois, y, g);
        Require(k == 1, $"roi_align: output {Tensor.Format(y.Shape)} must hold exactly the {r} regions");
        float* px = x.Pointer, pr = rois.Pointer, py = y.Pointer;
        int bins = g.PooledH * g.PooledW;
        CpuParallel.For(r * c, Math.Max(1, 4096 / bins), (start, end) =>
        {
            for (int rc = start; rc < end; rc++)
            {
                int roi = rc / c, ch = rc % c;
                float* yo = py + (long)rc * bins;
                int b = RoiImage(pr, roi, n);
                if (b < 0)
                {
                    new Span<float>(yo, bins).Clear();
                    continue;
                }
                var box = new CpuRoiBox(pr, roi, g);
                float* plane = px + ((long)b * c + ch) * h * w;
                for (int ph = 0; ph < g.PooledH; ph++)
                    for (int pw = 0; pw < g.PooledW; pw++)
                    {
                        float sum = 0;
                        for (int iy = 0; iy < box.GridH; iy++)
                        {
                            float yy = box.Y0 + ph * box.BinH + (iy + .5f) * box.BinH / box.GridH;
                            for (int ix = 0; ix < box.GridW; ix++)
                            {
                                float xx = box.X0 + pw * box.BinW + (ix + .5f) * box.BinW / box.GridW;
                                if (!IlgpuBackend.Bilinear(yy, xx, h, w, out int yl, out int xl, out int dy, out int dx, out float ly, out float lx)) continue;
                                float hy = 1f - ly, hx = 1f - lx;
                                float* p = plane + yl * w + xl;
                                sum += hy * hx * p[0] + hy * lx * p[dx] + ly * hx * p[dy * w] + ly * lx * p[dy * w + dx];
                            }
                        }
                        yo[ph * g.PooledW + pw] = sum / box.Count;
                    }
            }
        });
    }

    public void RoiAlignBackward(Tensor rois, Tensor gy, Tensor gx, RoiAlignGeometry g)
    {
        var (nk, c, h, w, r, k) = RoiAlignChecks.Shapes("roi_align backward", gx, rois, gy, g);
        Require(nk % k == 0, $"roi_align backward: gradient {Tensor.Format(gx.Shape)} is not {k} targets' images");
        int n = nk / k, hw = h * w, bins = g.PooledH * g.PooledW;
        float* pr = rois.Pointer, pgy = gy.Pointer, pgx = gx.Pointer;
        CpuParallel.For(k * c, 1, (start, end) =>
        {
            for (int kc = start; kc < end; kc++)
            {
                int ch = kc % c, t = kc / c;
                for (int img = 0; img < n; img++) new Span<float>(pgx + ((long)(t * n + img) * c + ch) * hw, hw).Clear();
                for (int roi = 0; roi < r; roi++)
                {
                    int b = RoiImage(pr, roi, n);
                    if (b < 0) continue;
                    var box = new CpuRoiBox(pr, roi, g);
                    float* plane = pgx + ((long)(t * n + b) * c + ch) * hw, go = pgy + ((long)(t * r + roi) * c + ch) * bins;
                    for (int ph = 0; ph < g.PooledH; ph++)
                        for (int pw = 0; pw < g.PooledW; pw++)
                        {
                            float gv = go[ph * g.PooledW + pw];
                            for (int iy = 0; iy < box.GridH; iy++)
                            {
                                float yy = box.Y0 + ph * box.BinH + (iy + .5f) * box.BinH / box.GridH;
                                for (int ix = 0; ix < box.GridW; ix++)
                                {
                                    float xx = box.X0 + pw * box.BinW + (ix + .5f) * box.BinW / box.GridW;
                                    if (!IlgpuBackend.Bilinear(yy, xx, h, w, out int yl, out int xl, out int dy, out int dx, out float ly, out float lx)) continue;
                                    float hy = 1f - ly, hx = 1f - lx;
                                    float* p = plane + yl * w + xl;
                                    p[0] += gv * (hy * hx) / box.Count;
                                    p[dx] += gv * (hy * lx) / box.Count;
                                    p[dy * w] += gv * (ly * hx) / box.Count;
                                    p[dy * w + dx] += gv * (ly * lx) / box.Count;
                                }
                            }
                        }
                }
            }
        });
    }

    /// <summary>The region's image, or −1 when its batch index is not a whole number inside the batch.</summary>
    static int RoiImage(float* rois, int r, int n)
    {
        float b = rois[r * 5];
        return b >= 0 && b < n && b == (int)b ? (int)b : -1;
    }

    /// <summary>One region's box in feature-map coordinates, its bin size and sampling grid (torchvision's formulas).</summary>
    readonly struct CpuRoiBox
    {
        public readonly float X0, Y0, BinW, BinH, Count;
        public readonly int GridW, GridH;

        public CpuRoiBox(float* rois, int r, RoiAlignGeometry g)
        {
            float offset = g.Aligned ? 0.5f : 0f;
            X0 = rois[r * 5 + 1] * g.SpatialScale - offset;
            Y0 = rois[r * 5 + 2] * g.SpatialScale - offset;
            float rw = rois[r * 5 + 3] * g.SpatialScale - offset - X0, rh = rois[r * 5 + 4] * g.SpatialScale - offset - Y0;
            if (!g.Aligned)
            {
                rw = Math.Max(rw, 1f);
                rh = Math.Max(rh, 1f);
            }
            BinH = rh / g.PooledH;
            BinW = rw / g.PooledW;
            GridH = g.SamplingRatio > 0 ? g.SamplingRatio : (int)MathF.Ceiling(rh / g.PooledH);
            GridW = g.SamplingRatio > 0 ? g.SamplingRatio : (int)MathF.Ceiling(rw / g.PooledW);
            Count = Math.Max(GridH * GridW, 1);
        }
    }
}
