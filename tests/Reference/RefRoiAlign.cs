namespace NativeCam.Tests;

/// <summary>
/// Float64 RoIAlign written from torchvision's definition (roi_align_kernel.cpp): the box scaled and shifted, bins
/// of box/output size, a grid of samples at bin-relative (i + ½)/grid, each sample bilinear with zero beyond one
/// pixel outside the map and clamping inside that margin, the bin the mean of its samples.
/// </summary>
public static class RefRoiAlign
{
    public static double[] Forward(double[] x, int[] xs, double[] rois, int ph, int pw, double scale, int sampling, bool aligned)
    {
        int c = xs[1], h = xs[2], w = xs[3], r = rois.Length / 5;
        var y = new double[r * c * ph * pw];
        for (int i = 0; i < r; i++)
        {
            int b = (int)rois[i * 5];
            double off = aligned ? 0.5 : 0;
            double x0 = rois[i * 5 + 1] * scale - off, y0 = rois[i * 5 + 2] * scale - off;
            double rw = rois[i * 5 + 3] * scale - off - x0, rh = rois[i * 5 + 4] * scale - off - y0;
            if (!aligned)
            {
                rw = Math.Max(rw, 1);
                rh = Math.Max(rh, 1);
            }
            double bh = rh / ph, bw = rw / pw;
            int gh = sampling > 0 ? sampling : (int)Math.Ceiling(rh / ph), gw = sampling > 0 ? sampling : (int)Math.Ceiling(rw / pw);
            double count = Math.Max(gh * gw, 1);
            for (int ch = 0; ch < c; ch++)
                for (int oy = 0; oy < ph; oy++)
                    for (int ox = 0; ox < pw; ox++)
                    {
                        double s = 0;
                        for (int iy = 0; iy < gh; iy++)
                            for (int ix = 0; ix < gw; ix++)
                                s += Sample(x, ((b * c) + ch) * h * w, h, w, y0 + oy * bh + (iy + 0.5) * bh / gh, x0 + ox * bw + (ix + 0.5) * bw / gw);
                        y[((i * c + ch) * ph + oy) * pw + ox] = s / count;
                    }
        }
        return y;
    }

    static double Sample(double[] x, int plane, int h, int w, double y, double xx)
    {
        if (y < -1 || y > h || xx < -1 || xx > w) return 0;
        y = Math.Max(y, 0);
        xx = Math.Max(xx, 0);
        int y0 = Math.Min((int)y, h - 1), x0 = Math.Min((int)xx, w - 1);
        if (y0 == h - 1) y = y0;
        if (x0 == w - 1) xx = x0;
        int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
        double ly = y - y0, lx = xx - x0;
        return (1 - ly) * (1 - lx) * x[plane + y0 * w + x0] + (1 - ly) * lx * x[plane + y0 * w + x1]
             + ly * (1 - lx) * x[plane + y1 * w + x0] + ly * lx * x[plane + y1 * w + x1];
    }
}
