namespace NativeCam.Cam;

/// <summary>
/// The sampled methods' Gaussian noise, drawn on the host so that one seed gives the same numbers on every backend
/// (docs/cam.md, "Noise"): SplitMix64 (Steele et al. 2014) from the seed; each uniform u = (next >> 11) · 2⁻⁵³; each
/// normal from two uniforms by Box–Muller's cosine branch, z = √(−2 ln(1 − u₁)) · cos(2π u₂). Simple enough to
/// reproduce in a few lines of Python (tests/reference/methods_reference.py does).
/// </summary>
public sealed class NoiseStream(ulong seed)
{
    ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal.</summary>
    public double Normal()
    {
        double u1 = Uniform(), u2 = Uniform();
        return Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary><paramref name="x"/> plus N(0, <paramref name="sigma"/>²) noise per element, rounded to float32.</summary>
    public float[] Noisy(float[] x, double sigma)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] + sigma * Normal());
        return y;
    }
}
