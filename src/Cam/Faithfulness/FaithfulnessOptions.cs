namespace NativeCam.Cam.Faithfulness;

/// <summary>How <see cref="FaithfulnessMetrics"/> perturbs: ROAD's percentiles and noise, the deletion/insertion steps, batch size.</summary>
public sealed record FaithfulnessOptions
{
    /// <summary>ROAD's percentiles (pytorch-grad-cam's examples use 20, 40, 60, 80 for <c>ROADCombined</c>).</summary>
    public IReadOnlyList<double> Percentiles { get; init; } = [20, 40, 60, 80];

    /// <summary>Standard deviation of the noise ROAD's imputation adds (pytorch-grad-cam's 0.01; 0 turns it off).</summary>
    public double Noise { get; init; } = NoisyLinearImputer.DefaultNoise;

    /// <summary>Seed of that noise: the same seed gives the same numbers on every backend.</summary>
    public int Seed { get; init; }

    /// <summary>Deletion and insertion curves have Steps + 1 points, at 0, 1/Steps, ..., 1 of the pixels.</summary>
    public int Steps { get; init; } = 16;

    /// <summary>Perturbed inputs per forward.</summary>
    public int BatchSize { get; init; } = 8;
}
