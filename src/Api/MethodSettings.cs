using NativeCam.Cam;

namespace NativeCam;

/// <summary>
/// The gradient methods' and smoothing flags' settings for <see cref="Explainer"/> (docs/cam.md), as the command line's
/// --ig-steps, --smooth-samples, --smooth-sigma, --seed, --eigen-smooth, --aug-smooth. The defaults change nothing.
/// </summary>
public sealed record MethodSettings
{
    /// <summary>Integrated Gradients' Gauss–Legendre points (Captum's n_steps).</summary>
    public int IgSteps { get; init; } = 50;

    /// <summary>SmoothGrad's noisy copies; N &gt; 0 also makes every gradient layer method a noise tunnel over N copies (0: SmoothGrad takes 50).</summary>
    public int SmoothSamples { get; init; }

    /// <summary>The noise's standard deviation as a fraction of the input's range.</summary>
    public double SmoothSigma { get; init; } = 0.15;

    /// <summary>The noise's seed: the same seed, the same maps on every device.</summary>
    public ulong Seed { get; init; }

    /// <summary>pytorch-grad-cam's eigen_smooth on the layer methods.</summary>
    public bool EigenSmooth { get; init; }

    /// <summary>pytorch-grad-cam's aug_smooth (classifiers and ViT only: a detection moves with a flipped image).</summary>
    public bool AugSmooth { get; init; }

    /// <summary>The engine request for <paramref name="method"/> at <paramref name="layers"/>.</summary>
    internal CamRequest Request(CamMethod method, IReadOnlyList<string> layers) => new()
    {
        Methods = [method], Layers = layers, IgSteps = IgSteps, SmoothSamples = SmoothSamples, SmoothSigma = SmoothSigma,
        Seed = Seed, EigenSmooth = EigenSmooth, AugSmooth = AugSmooth,
    };
}
