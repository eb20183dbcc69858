using System.CommandLine;
using NativeCam.Cam;

namespace NativeCam.Cli;

/// <summary>
/// The options of the gradient methods and smoothing flags (#16, docs/cam.md), the same on classify-cam and detect-cam:
/// --ig-steps, --smooth-samples, --smooth-sigma, --seed, --eigen-smooth, --fuse; and on classify-cam --aug-smooth.
/// </summary>
public sealed class MethodOptions
{
    /// <summary>The input-space methods: valid by name, not part of `all` (IG and SmoothGrad run many forwards and backwards).</summary>
    public static readonly IReadOnlyList<string> InputMethods = ["fullgrad", "integrated-gradients", "smoothgrad"];

    /// <summary>Their names beside the layer methods' (CamOptions.Methods keeps the rest).</summary>
    public static readonly IReadOnlyDictionary<string, CamMethod> Names = new Dictionary<string, CamMethod>
    {
        ["fullgrad"] = CamMethod.FullGrad, ["integrated-gradients"] = CamMethod.IntegratedGradients, ["smoothgrad"] = CamMethod.SmoothGrad,
    };

    readonly Option<int> _igSteps = new("--ig-steps") { Description = "integrated-gradients: points on the path from the black (all-zero, in the normalised input) baseline, Gauss-Legendre as Captum (one forward and backward each).", DefaultValueFactory = _ => 50 };
    readonly Option<int> _samples = new("--smooth-samples") { Description = "smoothgrad: noisy copies averaged (default 50). Given with a gradient layer method (gradcam, layercam, ...), that map too becomes the mean over N noisy copies (a noise tunnel; one forward and backward each)." };
    readonly Option<double> _sigma = new("--smooth-sigma") { Description = "The noise's standard deviation as a fraction of the input's range (max - min), the SmoothGrad paper's noise level.", DefaultValueFactory = _ => 0.15 };
    readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the noise (SplitMix64 on the host): the same seed gives the same map on every device.", DefaultValueFactory = _ => 0UL };
    readonly Option<string?> _fuse = new("--fuse") { Description = "Also fuse the layers' maps of each method into one map, layer `fused`, beside them: mean (pytorch-grad-cam's: each scaled to [0, 1], resized, averaged, scaled) or layercam (LayerCAM's: each normalised, tanh(2x), resized, element-wise maximum). detect-cam: the rule of its fused map (--layer fuse)." };
    readonly Option<bool> _aug = new("--aug-smooth") { Description = "pytorch-grad-cam's aug_smooth: each layer map is the mean of its final maps (scaled to [0, 1], at the input's size) over the image flipped or not x multiplied by 0.9, 1, 1.1: six passes." };
    bool _withAug;
    readonly Option<bool> _eigen = new("--eigen-smooth") { Description = "pytorch-grad-cam's eigen_smooth: each layer map is the first principal component of the method's weighted activations instead of their channel sum." };

    /// <summary>The parsed values.</summary>
    public sealed record Settings(int IgSteps, int SmoothSamples, double SmoothSigma, ulong Seed, bool EigenSmooth, FusionRule? Fuse = null, bool AugSmooth = false)
    {
        /// <summary>The defaults (no smoothing).</summary>
        public static readonly Settings Default = new(50, 0, 0.15, 0, false);

        /// <summary>The engine request for <paramref name="methods"/> at <paramref name="layers"/> with these settings.</summary>
        public CamRequest Apply(IReadOnlyList<CamMethod> methods, IReadOnlyList<string> layers, bool guided = false, int batch = 0) => new()
        {
            Methods = methods, Layers = layers, Guided = guided, BatchSize = batch,
            IgSteps = IgSteps, SmoothSamples = SmoothSamples, SmoothSigma = SmoothSigma, Seed = Seed, EigenSmooth = EigenSmooth, AugSmooth = AugSmooth,
        };
    }

    /// <summary>Adds the options to <paramref name="cmd"/>; --aug-smooth only <paramref name="withAug"/> (classes: a flip moves a detection).</summary>
    public void AddTo(Command cmd, bool withAug = false)
    {
        _withAug = withAug;
        if (withAug) cmd.Options.Add(_aug);
        foreach (var o in new Option[] { _igSteps, _samples, _sigma, _seed, _eigen, _fuse }) cmd.Options.Add(o);
    }

    public Settings Read(ParseResult parse)
    {
        int steps = parse.GetValue(_igSteps), samples = parse.GetValue(_samples);
        double sigma = parse.GetValue(_sigma);
        if (steps is < 1 or > 10000) throw new CliError($"--ig-steps must be between 1 and 10000, got {steps}");
        if (samples is < 0 or > 10000) throw new CliError($"--smooth-samples must be between 0 (off) and 10000, got {samples}");
        if (!(sigma is >= 0 and <= 100)) throw new CliError($"--smooth-sigma must be between 0 and 100, got {sigma}");
        FusionRule? fuse = parse.GetValue(_fuse)?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "mean" => FusionRule.Mean,
            "layercam" => FusionRule.LayerCam,
            var f => throw new CliError($"unknown --fuse '{f}' (expected mean or layercam)"),
        };
        return new Settings(steps, samples, sigma, parse.GetValue(_seed), parse.GetValue(_eigen), fuse, _withAug && parse.GetValue(_aug));
    }
}
