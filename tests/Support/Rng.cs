namespace NativeCam.Tests;

/// <summary>Seeded random data, rounded to float32 so the float64 references see exactly our inputs.</summary>
public sealed class Rng(int seed)
{
    readonly Random _random = new(seed);

    /// <summary>Uniform values in [lo, hi), each exactly representable as float32.</summary>
    public double[] Uniform(int n, double lo = -1, double hi = 1)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * _random.NextDouble());
        return a;
    }

    public int Next(int lo, int hi) => _random.Next(lo, hi);
}
