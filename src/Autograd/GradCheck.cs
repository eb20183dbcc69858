namespace NativeCam.Autograd;

/// <summary>
/// Numerical gradients for checking backward rules. The function is a float64 reference forward,
/// so central differences are accurate to ~1e-9 and the comparison measures our float32 kernel,
/// not the noise of differencing float32 code.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// d⟨v, f(x)⟩/dx by central differences: (⟨v, f(x + h·e_i)⟩ − ⟨v, f(x − h·e_i)⟩) / 2h for each i.
    /// That is the vector-Jacobian product vᵀJ, exactly what backward computes for output gradient v.
    /// </summary>
    public static double[] Numeric(Func<double[], double[]> f, double[] x, double[] v, double h = 1e-6)
    {
        var grad = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double keep = probe[i];
            probe[i] = keep + h;
            double plus = Dot(v, f(probe));
            probe[i] = keep - h;
            double minus = Dot(v, f(probe));
            probe[i] = keep;
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    static double Dot(double[] a, double[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"length {a.Length} vs {b.Length}");
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Compares element-wise with |actual − expected| ≤ atol + rtol·|expected| and returns null when
    /// all match, else a description of the worst element and the count of mismatches.
    /// </summary>
    public static string? Mismatch(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double rtol, double atol)
    {
        if (actual.Length != expected.Length) return $"length {actual.Length}, expected {expected.Length}";
        int bad = 0, worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.Abs(expected[i]);
            if (!(err <= allowed))
            {
                bad++;
                double excess = double.IsNaN(err) ? double.PositiveInfinity : err / allowed;
                if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
            }
        }
        return bad == 0 ? null
            : $"{bad} of {actual.Length} elements differ; worst at {worst}: got {actual[worst]:R}, expected {expected[worst]:R} (rtol {rtol}, atol {atol})";
    }
}
