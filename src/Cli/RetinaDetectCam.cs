using NativeCam.Cam.Detectors;
using NativeCam.Detectors;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision RetinaNet file (the family is read from the file).</summary>
public static class RetinaDetectCam
{
    /// <summary>Explains every image's detections; returns the exit code.</summary>
    public static int Run(DetectOptions.Settings d, CamOptions.Settings c, IReadOnlyList<string> files, bool asJson)
    {
        TorchvisionDetectorLimits.Check(c, "RetinaNet", "the pyramid level each box's anchor belongs to");
        var score = TorchvisionDetectCam.ScoreOf(c.Score, "RetinaNet has no objectness; use --score logit or prob (its sigmoid score)");
        using var device = CommonOptions.OpenDevice(d.Device);
        using var model = RetinaFiles.Load(device, d.Weights, RetinaFiles.Options(d));
        return TorchvisionDetectCam.Run(new TorchvisionCamJob<RetinaDetection, RetinaDetect.DetectionJson>(Family(model), d, c, score), c.Out, files, asJson);
    }

    /// <summary>What detect-cam's shared job needs of a loaded RetinaNet.</summary>
    static TorchvisionCamFamily<RetinaDetection, RetinaDetect.DetectionJson> Family(RetinaNet model)
    {
        var names = RetinaFiles.Names(model);
        return new(model.Arch.Name, model.Device.Description, names, (image, request, score) => RetinaCam.Explain(model, image, request, score),
            d => (d.Box, d.Score, d.Label), (i, d) => RetinaDetect.Record(i, d, names));
    }
}
