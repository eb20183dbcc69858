namespace NativeCam.Cam.Faithfulness;

/// <summary>
/// ROAD's noisy linear imputation (Rong et al. 2022, as pytorch-grad-cam 1.5.5's <c>NoisyLinearImputer</c>): every
/// removed pixel becomes the weighted mean of its 8 neighbours (weights 1/6 for the 4 edge neighbours, 1/12 for the
/// diagonals; neighbours outside the image are left out and the pixel's own weight shrinks by theirs), known
/// neighbours entering as constants, removed ones as unknowns. That is one sparse linear system per image, shared by
/// the channels: M x = r with M_ii = Σ of in-image neighbour weights, M_ij = −w_ij for a removed neighbour j, r_i =
/// Σ w_ij·value_j over known neighbours. pytorch-grad-cam solves it with scipy's direct <c>spsolve</c>; M is symmetric
/// (the weights are symmetric in the offset) and diagonally dominant, positive definite as soon as one pixel is kept,
/// so here it is solved by conjugate gradients with a Jacobi preconditioner, in double, one channel per thread, to a
/// relative residual of 1e-10 (far below float32). CG alone needs many sweeps across a large hole (its error is smooth),
/// so it starts from the same problem solved on a grid twice as coarse (a pixel known when any of its four is, with
/// their mean), recursively down to 32 pixels a side: a cascadic CG; the start changes the iterations, not the answer.
/// Then noise of standard deviation <c>noise</c> (0.01 by
/// default, as theirs) is added to every imputed value.
/// </summary>
public static class NoisyLinearImputer
{
    /// <summary>pytorch-grad-cam's noise: absolute standard deviation added to each imputed value.</summary>
    public const double DefaultNoise = 0.01;

    static readonly (int Dy, int Dx, double W)[] Neighbours =
        [(1, 1, 1 / 12.0), (0, 1, 1 / 6.0), (-1, 1, 1 / 12.0), (1, -1, 1 / 12.0), (0, -1, 1 / 6.0), (-1, -1, 1 / 12.0), (1, 0, 1 / 6.0), (-1, 0, 1 / 6.0)];

    /// <summary>
    /// <paramref name="image"/> [channels, height, width] with the pixels where <paramref name="keep"/> is false imputed
    /// (a new array). <paramref name="random"/> draws the noise (standard normal by Box–Muller, channel by channel, pixel
    /// by pixel in row-major order); null or <paramref name="noise"/> = 0 adds none. With every pixel removed (an empty
    /// map: its percentiles are all 0 and nothing is below them) the right-hand side is 0 and the imputed image is 0 (plus
    /// noise), the solution scipy returns for pytorch-grad-cam too (tested through an empty map's ROAD numbers).
    /// </summary>
    public static float[] Impute(float[] image, int channels, int height, int width, bool[] keep, double noise = DefaultNoise, Random? random = null)
    {
        int plane = height * width;
        if (image.Length != channels * plane || keep.Length != plane) throw new ArgumentException("imputation: image and mask sizes differ");
        var unknown = new List<int>();
        var index = new int[plane];
        for (int p = 0; p < plane; p++) index[p] = keep[p] ? -1 : AddIndex(unknown, p);
        var result = (float[])image.Clone();
        int n = unknown.Count;
        if (n == 0) return result;
        var filled = Fill(Array.ConvertAll(image, v => (double)v), channels, height, width, keep);
        for (int c = 0; c < channels; c++)
            foreach (int p in unknown) result[c * plane + p] = (float)filled[c * plane + p]; // theirs: torch.float
        if (random != null && noise != 0)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < n; i++) result[c * plane + unknown[i]] += (float)(noise * Gaussian(random));
        return result;
    }

    // The image with its removed pixels solved for, in double; the start of CG from the coarser level's solution.
    static double[] Fill(double[] image, int channels, int height, int width, bool[] keep)
    {
        int plane = height * width;
        var unknown = new List<int>();
        var index = new int[plane];
        for (int p = 0; p < plane; p++) index[p] = keep[p] ? -1 : AddIndex(unknown, p);
        var result = (double[])image.Clone();
        int n = unknown.Count;
        if (n == 0) return result;
        double[]? coarse = null;
        int h2 = (height + 1) / 2, w2 = (width + 1) / 2;
        if (height >= 64 && width >= 64)
        {
            var keep2 = new bool[h2 * w2];
            var image2 = new double[channels * h2 * w2];
            var count = new int[h2 * w2];
            for (int p = 0; p < plane; p++)
            {
                if (!keep[p]) continue;
                int q = p / width / 2 * w2 + p % width / 2;
                keep2[q] = true;
                count[q]++;
                for (int c = 0; c < channels; c++) image2[c * h2 * w2 + q] += image[c * plane + p];
            }
            for (int q = 0; q < count.Length; q++)
                for (int c = 0; c < channels; c++) image2[c * h2 * w2 + q] /= Math.Max(count[q], 1);
            if (keep2.Any(k => k)) coarse = Fill(image2, channels, h2, w2, keep2);
        }

        // The system, row by row: diagonal, unknown neighbours (index, weight), right-hand sides per channel.
        var diag = new double[n];
        var rhs = new double[channels * n];
        var cols = new int[n * 8];
        var weights = new double[n * 8];
        var counts = new int[n];
        for (int i = 0; i < n; i++)
        {
            int p = unknown[i], y = p / width, x = p % width;
            foreach (var (dy, dx, w) in Neighbours)
            {
                int ny = y + dy, nx = x + dx;
                if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
                diag[i] += w;
                int q = ny * width + nx;
                if (index[q] < 0)
                    for (int c = 0; c < channels; c++) rhs[c * n + i] += w * image[c * plane + q];
                else
                {
                    cols[i * 8 + counts[i]] = index[q];
                    weights[i * 8 + counts[i]++] = w;
                }
            }
        }
        Parallel.For(0, channels, c =>
        {
            var start = new double[n];
            if (coarse != null)
                for (int i = 0; i < n; i++) start[i] = coarse[c * h2 * w2 + unknown[i] / width / 2 * w2 + unknown[i] % width / 2];
            var solution = Solve(diag, cols, weights, counts, rhs.AsSpan(c * n, n).ToArray(), start);
            for (int i = 0; i < n; i++) result[c * plane + unknown[i]] = solution[i];
        });
        return result;
    }

    static int AddIndex(List<int> list, int p)
    {
        list.Add(p);
        return list.Count - 1;
    }

    // M x = r, M = diag − (unknown-neighbour weights), by Jacobi-preconditioned conjugate gradients.
    static double[] Solve(double[] diag, int[] cols, double[] weights, int[] counts, double[] r, double[] x)
    {
        int n = diag.Length;
        var res = new double[n];
        var z = new double[n];
        var p = new double[n];
        var mp = new double[n];
        double norm0 = Math.Sqrt(r.Sum(v => v * v));
        if (norm0 == 0) return new double[n]; // nothing known around: the zero solution (scipy's too)
        for (int i = 0; i < n; i++)
        {
            double s = diag[i] * x[i];
            for (int j = 0; j < counts[i]; j++) s -= weights[i * 8 + j] * x[cols[i * 8 + j]];
            res[i] = r[i] - s;
        }
        if (Math.Sqrt(Dot(res, res)) <= 1e-10 * norm0) return x;
        for (int i = 0; i < n; i++) p[i] = z[i] = res[i] / diag[i];
        double rz = Dot(res, z);
        for (int iter = 0; iter < 20 * n + 100; iter++)
        {
            for (int i = 0; i < n; i++)
            {
                double s = diag[i] * p[i];
                for (int j = 0; j < counts[i]; j++) s -= weights[i * 8 + j] * p[cols[i * 8 + j]];
                mp[i] = s;
            }
            double alpha = rz / Dot(p, mp);
            for (int i = 0; i < n; i++)
            {
                x[i] += alpha * p[i];
                res[i] -= alpha * mp[i];
            }
            if (Math.Sqrt(Dot(res, res)) <= 1e-10 * norm0) return x;
            for (int i = 0; i < n; i++) z[i] = res[i] / diag[i];
            double next = Dot(res, z), beta = next / rz;
            rz = next;
            for (int i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
        }
        throw new InvalidOperationException("imputation: conjugate gradients did not converge");
    }

    static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
