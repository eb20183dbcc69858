namespace NativeCam.Layers;

/// <summary>
/// Folds an inference-mode BatchNorm into the convolution before it. BN computes
/// γ·(z − μ)/√(σ² + ε) + β per channel of z = conv(x); with s = γ/√(σ² + ε) that is conv with weights
/// w·s (per output channel) and bias (b − μ)·s + β. One conv kernel then does the work of two layers,
/// and the gradients with respect to activations are unchanged.
/// </summary>
public static class BatchNormFold
{
    public static (HostTensor Weight, HostTensor Bias) Fold(HostTensor convWeight, HostTensor? convBias,
        HostTensor gamma, HostTensor beta, HostTensor mean, HostTensor variance, double eps)
    {
        int cout = convWeight.Shape[0];
        int per = convWeight.Length / cout;
        foreach (var (t, n) in new[] { (gamma, "weight"), (beta, "bias"), (mean, "running_mean"), (variance, "running_var") })
            if (t.Length != cout) throw new InvalidDataException($"BatchNorm {n} has {t.Length} values for {cout} channels");
        var w = new float[convWeight.Length];
        var b = new float[cout];
        for (int o = 0; o < cout; o++)
        {
            double s = gamma.Data[o] / Math.Sqrt(variance.Data[o] + eps);
            for (int i = 0; i < per; i++) w[o * per + i] = (float)(convWeight.Data[o * per + i] * s);
            double bias = convBias?.Data[o] ?? 0.0;
            b[o] = (float)((bias - mean.Data[o]) * s + beta.Data[o]);
        }
        return (new HostTensor(w, convWeight.Shape), new HostTensor(b, [cout]));
    }
}
