namespace NativeCam.Cam;

/// <summary>Gauss–Legendre quadrature, as Captum's 'gausslegendre' approximation builds it from numpy's leggauss.</summary>
public static class GaussLegendre
{
    /// <summary>The n nodes ascending and weights on [−1, 1] (Newton's method on P_n from Chebyshev guesses, to double precision).</summary>
    public static (double[] Nodes, double[] Weights) Standard(int n)
    {
        var nodes = new double[n];
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = -Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)), dp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                (double p, dp) = Legendre(n, x);
                double step = p / dp;
                x -= step;
                if (Math.Abs(step) < 1e-16) break;
            }
            (_, dp) = Legendre(n, x);
            nodes[i] = x;
            weights[i] = 2 / ((1 - x * x) * dp * dp);
        }
        return (nodes, weights);
    }

    /// <summary>Captum's α_i = (1 + t_i) / 2 and w_i = w′_i / 2: the nodes and weights on [0, 1].</summary>
    public static (double[] Alphas, double[] Weights) UnitInterval(int n)
    {
        var (t, w) = Standard(n);
        return (t.Select(v => 0.5 * (1 + v)).ToArray(), w.Select(v => 0.5 * v).ToArray());
    }

    // P_n(x) and P_n'(x) by the three-term recurrence.
    static (double P, double Dp) Legendre(int n, double x)
    {
        double p0 = 1, p1 = x;
        if (n == 0) return (1, 0);
        for (int j = 2; j <= n; j++) (p0, p1) = (p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j);
        return (p1, n * (x * p1 - p0) / (x * x - 1));
    }
}
