namespace NativeCam.Cam;

/// <summary>What <see cref="CamEngine.Compute"/> computes: methods × layers, all from one K-target backward sweep.</summary>
public sealed class CamRequest
{
    /// <summary>The layer token that picks, per target, its family's default layer (YOLO: the layer feeding its own Detect level).</summary>
    public const string Auto = "auto";

    /// <summary>Methods to compute at every layer (default Grad-CAM).</summary>
    public IReadOnlyList<CamMethod> Methods { get; init; } = [CamMethod.GradCam];

    /// <summary>
    /// Layer names in the family's spelling (YOLO: <c>model.17.cv3.act</c> or the seed tools' <c>model_17_cv3_act</c>),
    /// or <see cref="Auto"/> (default): each target's default layer (YOLO: <c>model.{Detect.From[level]}</c> for the
    /// target's level, the C3 output that feeds it).
    /// </summary>
    public IReadOnlyList<string> Layers { get; init; } = [Auto];

    /// <summary>Also compute guided backprop (the input gradient with guided ReLU/SiLU rules) and Guided Grad-CAM per layer.</summary>
    public bool Guided { get; init; }

    /// <summary>
    /// Grad-CAM++'s ε in α = G² / (2G² + ΣA·G³ + ε). 0 (default) is the paper's formula; pytorch-grad-cam uses
    /// 1e-6, which swamps the denominator when YOLO's logit gradients are 1e-3..1e-6 (docs/cam.md).
    /// </summary>
    public float GradCamPlusPlusEpsilon { get; init; }

    /// <summary>Power-iteration steps for EigenCAM / EigenGrad-CAM's first principal component.</summary>
    public int PowerIterations { get; init; } = 200;

    /// <summary>
    /// Perturbed inputs per forward of the perturbation methods (Score-CAM). 0 (default): as many as fit in
    /// <see cref="PerturbationBudgetBytes"/>, counting one image's forward as the first pass's tape (at most 64).
    /// </summary>
    public int BatchSize { get; init; }

    /// <summary>Memory the automatic <see cref="BatchSize"/> may spend on one batch's forward values (default 1 GiB).</summary>
    public long PerturbationBudgetBytes { get; init; } = 1L << 30;

    /// <summary>The batch size for a first pass whose tape held <paramref name="forwardBytes"/>: <see cref="BatchSize"/>, or
    /// ⌊<see cref="PerturbationBudgetBytes"/> / forwardBytes⌋ clamped to 1..64.</summary>
    public int PerturbationBatch(long forwardBytes) => BatchSize > 0 ? BatchSize
        : (int)Math.Clamp(PerturbationBudgetBytes / Math.Max(1, forwardBytes), 1, 64);

    /// <summary>Integrated Gradients' path points (Captum's n_steps, Gauss–Legendre): one forward and backward each.</summary>
    public int IgSteps { get; init; } = 50;

    /// <summary>
    /// Noisy copies of the noise tunnel (SmoothGrad). 0 (default): the layer methods use the clean input alone and
    /// <see cref="CamMethod.SmoothGrad"/> takes <see cref="DefaultSmoothSamples"/>; N &gt; 0: SmoothGrad takes N, and every
    /// gradient layer method's map is also the mean of its maps on N noisy copies (a noise tunnel around Grad-CAM, ...).
    /// </summary>
    public int SmoothSamples { get; init; }

    /// <summary>SmoothGrad's sample count when <see cref="SmoothSamples"/> is 0.</summary>
    public const int DefaultSmoothSamples = 50;

    /// <summary>The noise's standard deviation as a fraction of the input's range (max x − min x), the SmoothGrad paper's noise level.</summary>
    public double SmoothSigma { get; init; } = 0.15;

    /// <summary>Seed of the noise (<see cref="NoiseStream"/>): the same seed gives the same noise, and the same maps, on every backend.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// pytorch-grad-cam's eigen_smooth: each layer method's map is the first principal component projection of the
    /// tensor it would sum over channels (the weighted activations), instead of that sum; then ReLU.
    /// </summary>
    public bool EigenSmooth { get; init; }

    /// <summary>
    /// pytorch-grad-cam's aug_smooth: every layer method's map becomes the mean of its final maps over six flipped and
    /// scaled copies of the input (<see cref="AugSmoothing"/>), at the input's size. Classes only.
    /// </summary>
    public bool AugSmooth { get; init; }
}
