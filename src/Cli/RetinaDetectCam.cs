using NativeCam.Cam.Detectors;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision RetinaNet file (the family is read from the file).</summary>
public static class RetinaDetectCam
{
    /// <summary>Explains every image's detections; returns the exit code.</summary>
    public static int Run(DetectOptions.Settings d, CamOptions.Settings c, IReadOnlyList<string> files, bool asJson)
    {
        TorchvisionDetectorLimits.Check(c, "RetinaNet", "the pyramid level each box's anchor belongs to");
        var score = c.Score switch
        {
            NativeCam.Cam.Yolo.CamScore.Logit => RcnnScore.Logit,
            NativeCam.Cam.Yolo.CamScore.Confidence => RcnnScore.Prob,
            _ => throw new CliError("--score obj: RetinaNet has no objectness; use --score logit or prob (its sigmoid score)"),
        };
        using var device = CommonOptions.OpenDevice(d.Device);
        using var model = RetinaFiles.Load(device, d.Weights, RetinaFiles.Options(d));
        var job = new RetinaCamJob(model, d, c, score);
        var outputs = OutputName.Unique(files);
        using var staging = new StagingArea(c.Out);
        var reports = new List<RetinaCamJob.Report>();
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
