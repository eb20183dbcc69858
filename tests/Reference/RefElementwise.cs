namespace NativeCam.Tests;

/// <summary>Float64 reference forward functions of the pointwise ops (the truth the kernels are checked against).</summary>
public static class RefElementwise
{
    public static double Erf(double x)
    {
        // erf by its Maclaurin series for small |x| and the continued fraction of erfc beyond: ~1e-15 accurate.
        double z = Math.Abs(x);
        double r;
        if (z < 2.5)
        {
            double term = z, sum = z;
            for (int n = 1; n < 80; n++)
            {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double f = z;
            for (int n = 60; n >= 1; n--) f = z + n / 2.0 / f;
            r = 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    public static double Apply(string op, double x) => op switch
    {
        "relu" => Math.Max(x, 0),
        "silu" => x / (1 + Math.Exp(-x)),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        "gelu" => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        "scale" => 0.75 * x,
        _ => throw new ArgumentException(op),
    };

    /// <summary>y[i] = a[i] op b[(i / inner) mod |b|].</summary>
    public static double[] Binary(string op, double[] a, double[] b, int inner) =>
        a.Select((v, i) => op == "add" ? v + b[i / inner % b.Length] : v * b[i / inner % b.Length]).ToArray();
}
