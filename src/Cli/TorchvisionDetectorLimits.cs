using NativeCam.Cam;
using NativeCam.Cam.Yolo;

namespace NativeCam.Cli;

/// <summary>What detect-cam cannot do yet on torchvision's detectors (Faster R-CNN, RetinaNet): each such option is a
/// one-line error naming it, before any file is read (docs/detectors.md, "Not yet").</summary>
static class TorchvisionDetectorLimits
{
    /// <summary>Throws a <see cref="CliError"/> for the first option <paramref name="family"/> does not support.</summary>
    public static void Check(CamOptions.Settings c, string family, string autoLayer)
    {
        string notYet = $"not available for {family} yet (docs/detectors.md)";
        if (c.Metrics) throw new CliError($"--metrics: {notYet}");
        if (c.SharedScale) throw new CliError($"--shared-scale: {notYet}");
        if (c.Guided) throw new CliError($"--method guided-gradcam: {notYet}");
        foreach (var input in c.HeatMethods.Where(InputAttribution.InInputSpace))
            throw new CliError($"--method {CamOptions.NameOf(input)}: {notYet}");
        if (c.Mode != TargetMode.PerDetection) throw new CliError($"--target-mode {CamOptions.NameOf(c.Mode)}: {notYet}");
        if (c.Renormalize) throw new CliError($"--renormalize: {notYet}");
        if (c.Faithfulness) throw new CliError($"--faithfulness: {notYet}");
        if (c.Smoothing is { } smooth && smooth != MethodOptions.Settings.Default)
            throw new CliError($"--eigen-smooth, --smooth-samples, --smooth-sigma, --seed, --ig-steps and --fuse: {notYet}");
        if (c.Layers.Any(l => l.Equals(CamOptions.Seed, StringComparison.OrdinalIgnoreCase)))
            throw new CliError($"--layer seed: YOLO only; {family} takes auto ({autoLayer}) or module paths (nativecam layers WEIGHTS)");
    }
}
