using NativeCam.Cam.Detectors;
using NativeCam.Cam.Yolo;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision detector file: the per-image loop shared by its families.</summary>
static class TorchvisionDetectCam
{
    /// <summary>--score for a torchvision detector: logit (default) or conf/prob; obj is refused with <paramref name="noObjectness"/>.</summary>
    public static RcnnScore ScoreOf(CamScore score, string noObjectness) => score switch
    {
        CamScore.Logit => RcnnScore.Logit,
        CamScore.Confidence => RcnnScore.Prob,
        _ => throw new CliError($"--score obj: {noObjectness}"),
    };

    /// <summary>Explains every image's detections with <paramref name="job"/>; returns the exit code.</summary>
    public static int Run<TDetection, TJson>(TorchvisionCamJob<TDetection, TJson> job, string outDir, IReadOnlyList<string> files, bool asJson)
    {
        var outputs = OutputName.Unique(files);
        using var staging = new StagingArea(outDir);
        var reports = new List<TorchvisionCamReport<TJson>>();
        int failures = PerInput.Each(files.Count, i =>
        {
            var report = job.Run(files[i], outputs[i], staging);
            reports.Add(report);
            if (!asJson)
                Console.WriteLine($"{report.image}: {report.image_hw[1]}x{report.image_hw[0]} {report.detections.Count} detections ({job.Family.ArchName}) — " +
                    $"{report.maps.Count} maps -> {Path.Combine(outDir, outputs[i])}");
        });
        if (asJson) Console.WriteLine(ReportJson.Serialize(reports));
        return PerInput.ExitCode(failures);
    }
}
