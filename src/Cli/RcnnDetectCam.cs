using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision Faster R-CNN file (the family is read from the file).</summary>
public static class RcnnDetectCam
{
    /// <summary>Explains every image's detections; returns the exit code.</summary>
    public static int Run(DetectOptions.Settings d, CamOptions.Settings c, IReadOnlyList<string> files, bool asJson)
    {
        TorchvisionDetectorLimits.Check(c, "Faster R-CNN", "the FPN level each box was pooled from");
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
