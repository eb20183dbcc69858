using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision Faster R-CNN file (the family is read from the file).</summary>
public static class RcnnDetectCam
{
    /// <summary>Explains every image's detections; returns the exit code.</summary>
    public static int Run(DetectOptions.Settings d, CamOptions.Settings c, IReadOnlyList<string> files, bool asJson)
    {
        if (c.Metrics) throw new CliError("--metrics: not available for Faster R-CNN yet (docs/detectors.md)");
        if (c.SharedScale) throw new CliError("--shared-scale: not available for Faster R-CNN yet (docs/detectors.md)");
        if (c.Guided) throw new CliError("--method guided-gradcam: not available for Faster R-CNN yet (docs/detectors.md)");
        if (c.Mode != TargetMode.PerDetection)
            throw new CliError($"--target-mode {CamOptions.NameOf(c.Mode)}: not available for Faster R-CNN yet (per-detection only; docs/detectors.md)");
        if (c.Renormalize) throw new CliError("--renormalize: not available for Faster R-CNN yet (docs/detectors.md)");
        foreach (var input in c.HeatMethods.Where(InputAttribution.InInputSpace))
            throw new CliError($"--method {CamOptions.NameOf(input)}: not available for Faster R-CNN yet (docs/detectors.md)");
        if (c.Smoothing is { } smooth && smooth != MethodOptions.Settings.Default)
            throw new CliError("--eigen-smooth, --smooth-samples, --smooth-sigma, --seed, --ig-steps and --fuse: not available for Faster R-CNN yet (docs/detectors.md)");
        if (c.Faithfulness) throw new CliError("--faithfulness: not available for Faster R-CNN yet (YOLOv5 only; docs/cam.md#faithfulness)");
        if (c.Layers.Any(l => l.Equals(CamOptions.Seed, StringComparison.OrdinalIgnoreCase)))
            throw new CliError("--layer seed: YOLO only; Faster R-CNN takes auto (the FPN level each box was pooled from) or module paths (nativecam layers WEIGHTS)");
        var score = RcnnCamJob.ScoreOf(c.Score);
        using var device = CommonOptions.OpenDevice(d.Device);
        using var model = RcnnFiles.Load(device, d.Weights, RcnnFiles.Options(d));
        var job = new RcnnCamJob(model, d, c, score);
        var outputs = OutputName.Unique(files);
        using var staging = new StagingArea(c.Out);
        var reports = new List<RcnnCamJob.Report>();
        int failures = PerInput.Each(files.Count, i =>
        {
            var report = job.Run(files[i], outputs[i], staging);
            reports.Add(report);
            if (!asJson)
                Console.WriteLine($"{report.image}: {report.image_hw[1]}x{report.image_hw[0]} {report.detections.Count} detections ({model.Arch.Name}) — " +
                    $"{report.maps.Count} maps -> {Path.Combine(c.Out, outputs[i])}");
        });
        if (asJson) Console.WriteLine(ReportJson.Serialize(reports));
        return PerInput.ExitCode(failures);
    }
}
