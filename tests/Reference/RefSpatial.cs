namespace NativeCam.Tests;

/// <summary>
/// Float64 reference forwards of the spatial ops, written as the textbook loops (the transposed conv as a scatter,
/// straight from its definition, so it does not share the kernels' gather derivation).
/// </summary>
public static class RefSpatial
{
    /// <summary>y[n, co, oy, ox] = b[co] + Σ w[co, ci, ky, kx] · x[n, g·Cin/G + ci, oy·sh − ph + ky, ox·sw − pw + kx], zero padding.</summary>
    public static double[] Conv2d(double[] x, int[] xs, double[] w, int[] ws, double[]? b, int sh, int sw, int ph, int pw, int groups)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cinG = ws[1], kh = ws[2], kw = ws[3], coutG = cout / groups;
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (wd + 2 * pw - kw) / sw + 1;
        var y = new double[n * cout * oh * ow];
        for (int i = 0; i < n; i++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = b?[co] ?? 0;
                        for (int ci = 0; ci < cinG; ci++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    s += w[((co * cinG + ci) * kh + ky) * kw + kx] * x[((i * cin + co / coutG * cinG + ci) * h + iy) * wd + ix];
                                }
                        y[((i * cout + co) * oh + oy) * ow + ox] = s;
                    }
        return y;
    }

    /// <summary>
    /// Conv2d's gradients for one output gradient gy, by scattering every multiply-add of the forward back to its
    /// two factors: gx += w·gy, gw += x·gy, gb += gy.
    /// </summary>
    public static (double[] Gx, double[] Gw, double[] Gb) Conv2dBackward(double[] x, int[] xs, double[] w, int[] ws, double[] gy,
        int sh, int sw, int ph, int pw, int groups)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cinG = ws[1], kh = ws[2], kw = ws[3], coutG = cout / groups;
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (wd + 2 * pw - kw) / sw + 1;
        var (gx, gw, gb) = (new double[x.Length], new double[w.Length], new double[cout]);
        for (int i = 0; i < n; i++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double g = gy[((i * cout + co) * oh + oy) * ow + ox];
                        gb[co] += g;
                        for (int ci = 0; ci < cinG; ci++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    int xi = ((i * cin + co / coutG * cinG + ci) * h + iy) * wd + ix, wi = ((co * cinG + ci) * kh + ky) * kw + kx;
                                    gx[xi] += w[wi] * g;
                                    gw[wi] += x[xi] * g;
                                }
                    }
        return (gx, gw, gb);
    }

    public static int[] ConvTransposeShape(int[] xs, int[] ws, int sh, int sw, int ph, int pw, int oph, int opw, int groups) =>
        [xs[0], ws[1] * groups, (xs[2] - 1) * sh - 2 * ph + ws[2] + oph, (xs[3] - 1) * sw - 2 * pw + ws[3] + opw];

    /// <summary>Each input pixel scatters x[n, ci, iy, ix] · w[ci, co, ky, kx] to y[n, g·Cout/G + co, iy·sh − ph + ky, ix·sw − pw + kx].</summary>
    public static double[] ConvTranspose2d(double[] x, int[] xs, double[] w, int[] ws, double[]? b, int sh, int sw, int ph, int pw, int oph, int opw, int groups)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int coutG = ws[1], kh = ws[2], kw = ws[3], cinG = cin / groups;
        var ys = ConvTransposeShape(xs, ws, sh, sw, ph, pw, oph, opw, groups);
        int cout = ys[1], oh = ys[2], ow = ys[3];
        var y = new double[n * cout * oh * ow];
        for (int i = 0; i < n; i++)
            for (int co = 0; co < cout; co++)
                for (int p = 0; p < oh * ow; p++) y[(i * cout + co) * oh * ow + p] = b?[co] ?? 0;
        for (int i = 0; i < n; i++)
            for (int ci = 0; ci < cin; ci++)
                for (int iy = 0; iy < h; iy++)
                    for (int ix = 0; ix < wd; ix++)
                        for (int co = 0; co < coutG; co++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int oy = iy * sh - ph + ky, ox = ix * sw - pw + kx;
                                    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                                    int c = ci / cinG * coutG + co;
                                    y[((i * cout + c) * oh + oy) * ow + ox] +=
                                        x[((i * cin + ci) * h + iy) * wd + ix] * w[((ci * coutG + co) * kh + ky) * kw + kx];
                                }
        return y;
    }

    /// <summary>Window maxima (padding excluded) and, per output, the flat position iy·W + ix of the first maximum.
    /// Ceil mode: PyTorch's output size, written out here independently of PoolGeometry.</summary>
    public static (double[] Y, int[] Argmax) MaxPool2d(double[] x, int[] xs, int k, int s, int p, bool ceil = false)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = PooledSize(h, k, s, p, ceil), ow = PooledSize(w, k, s, p, ceil);
        var y = new double[planes * oh * ow];
        var arg = new int[y.Length];
        for (int q = 0; q < planes; q++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double best = double.NegativeInfinity;
                    int at = -1;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * s - p + ky, ix = ox * s - p + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = x[(q * h + iy) * w + ix];
                            if (at < 0 || v > best) { best = v; at = iy * w + ix; }
                        }
                    int o = (q * oh + oy) * ow + ox;
                    y[o] = best;
                    arg[o] = at;
                }
        return (y, arg);
    }

    // Floor mode: the windows −p, −p + s, … that end inside the padded input. Ceil mode adds one more window when
    // those leave padded-input positions uncovered, unless it would start past the input (in the right padding).
    static int PooledSize(int size, int k, int s, int p, bool ceil)
    {
        int n = 0, start = -p;
        for (; start + k <= size + p; start += s) n++;
        bool uncovered = start - s + k < size + p;
        return ceil && uncovered && start < size ? n + 1 : n;
    }

    /// <summary>The max-pool input gradient by scatter: each output's gradient goes to its argmax.</summary>
    public static double[] MaxPool2dBackward(double[] x, int[] xs, double[] gy, int k, int s, int p, bool ceil = false)
    {
        var (y, arg) = MaxPool2d(x, xs, k, s, p, ceil);
        int plane = xs[2] * xs[3], outPlane = y.Length / (xs[0] * xs[1]);
        int targets = gy.Length / y.Length;
        var gx = new double[targets * x.Length];
        for (int t = 0; t < targets; t++)
            for (int o = 0; o < y.Length; o++) gx[t * x.Length + o / outPlane * plane + arg[o]] += gy[t * y.Length + o];
        return gx;
    }

    public static double[] Upsample(double[] x, int[] xs, int scale)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        var y = new double[x.Length * scale * scale];
        for (int q = 0; q < planes; q++)
            for (int oy = 0; oy < h * scale; oy++)
                for (int ox = 0; ox < w * scale; ox++)
                    y[(q * h * scale + oy) * w * scale + ox] = x[(q * h + oy / scale) * w + ox / scale];
        return y;
    }

    /// <summary>Concatenation along dimension 1 of tensors [N, C_i, ..rest].</summary>
    public static double[] Concat(IReadOnlyList<(double[] Data, int[] Shape)> xs)
    {
        int n = xs[0].Shape[0], inner = xs[0].Data.Length / (n * xs[0].Shape[1]);
        var y = new List<double>();
        for (int i = 0; i < n; i++)
            foreach (var (data, shape) in xs)
                y.AddRange(data.Skip(i * shape[1] * inner).Take(shape[1] * inner));
        return [.. y];
    }
}
