using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>The CAM adapter of a detector of either YOLO family: the CLI and the <c>NativeCam.Api</c> facade share it.</summary>
public static class DetectorAdapters
{
    /// <summary>YOLOv5 → <see cref="YoloCamAdapter"/>; Ultralytics YOLOv8/YOLO11 → <see cref="Yolov8CamAdapter"/>.</summary>
    public static ICamAdapter<YoloTargets> For(IDetector detector) => detector switch
    {
        YoloDetector v5 => new YoloCamAdapter(v5.Model),
        Yolov8Detector v8 => new Yolov8CamAdapter(v8.Model),
        _ => throw new ArgumentException($"no CAM adapter for {detector.Family}"),
    };
}
