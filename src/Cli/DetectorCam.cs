using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>The CAM side of a detector of either family: its adapter, its layer names, the scores it has.</summary>
public static class DetectorCam
{
    /// <summary>YOLOv5 → <see cref="YoloCamAdapter"/>; YOLOv8 → <see cref="Yolov8CamAdapter"/>.</summary>
    public static ICamAdapter<YoloTargets> Adapter(IDetector detector) => DetectorAdapters.For(detector);

    /// <summary>The yaml layers' module paths, Detect excluded (for "valid layers include ..." messages).</summary>
    public static IEnumerable<string> LayerPaths(IDetector detector) => detector switch
    {
        YoloDetector v5 => v5.Model.Layers.Select(l => l.Path).SkipLast(1),
        Yolov8Detector v8 => v8.Model.Layers.Select(l => l.Path).SkipLast(1),
        _ => [],
    };

    /// <summary>Refuses --score obj for YOLOv8, which has no objectness, and the perturbation methods for YOLOv8 (its
    /// adapter reads no scores from a batched forward yet).</summary>
    public static void CheckScore(IDetector detector, CamScore score, CamMethod? method = null)
    {
        if (detector is Yolov8Detector && method is CamMethod.ScoreCam or CamMethod.AblationCam)
            throw new CliError($"--method {CamOptions.NameOf(method.Value)}: not available for {detector.Family} yet (YOLOv5 only; docs/cam.md)");
        if (detector is Yolov8Detector && score == CamScore.Objectness)
            throw new CliError($"--score obj: {detector.Family} has no objectness; use --score logit (its class logit) or conf (its class probability)");
    }
}
