using NativeCam.Cam.Detectors;
using NativeCam.Detectors;

namespace NativeCam.Cli;

/// <summary>`nativecam detect-cam` on a torchvision Faster R-CNN file (the family is read from the file).</summary>
public static class RcnnDetectCam
{
    /// <summary>Explains every image's detections; returns the exit code.</summary>
    public static int Run(DetectOptions.Settings d, CamOptions.Settings c, IReadOnlyList<string> files, bool asJson)
    {
        TorchvisionDetectorLimits.Check(c, "Faster R-CNN", "the FPN level each box was pooled from");
        var score = TorchvisionDetectCam.ScoreOf(c.Score, "Faster R-CNN has no objectness in its box head; use --score logit or prob");
        using var device = CommonOptions.OpenDevice(d.Device);
        using var model = RcnnFiles.Load(device, d.Weights, RcnnFiles.Options(d));
        return TorchvisionDetectCam.Run(new TorchvisionCamJob<RcnnDetection, RcnnDetect.DetectionJson>(Family(model), d, c, score), c.Out, files, asJson);
    }

    /// <summary>What detect-cam's shared job needs of a loaded Faster R-CNN.</summary>
    static TorchvisionCamFamily<RcnnDetection, RcnnDetect.DetectionJson> Family(FasterRcnn model)
    {
        var names = RcnnFiles.Names(model);
        return new(model.Arch.Name, model.Device.Description, names, (image, request, score) => RcnnCam.Explain(model, image, request, score),
            d => (d.Box, d.Score, d.Label), (i, d) => RcnnDetect.Record(i, d, names));
    }
}
