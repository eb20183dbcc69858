namespace NativeCam.Yolo;

/// <summary>
/// detect.py's NMS settings (v6.1 defaults): --conf-thres 0.25, --iou-thres 0.45, --max-det 1000,
/// --classes (keep only these best classes; null keeps all), --agnostic-nms (classes suppress each other).
/// </summary>
public sealed record NmsOptions(
    double ConfThreshold = 0.25,
    double IouThreshold = 0.45,
    int MaxDetections = 1000,
    IReadOnlyList<int>? Classes = null,
    bool Agnostic = false)
{
    /// <summary>v6.1's max_wh: boxes are shifted by class·7680 px so different classes never overlap.</summary>
    public const float ClassOffset = 7680f;

    /// <summary>v6.1's max_nms: at most this many highest-scoring candidates enter NMS.</summary>
    public const int MaxNms = 30000;

    /// <summary>Throws ArgumentException for thresholds outside [0, 1] (YOLOv5 asserts the same) or max_det &lt; 1.</summary>
    public void Validate()
    {
        if (!(ConfThreshold is >= 0 and <= 1)) throw new ArgumentException($"NMS: confidence threshold {ConfThreshold} is not in [0, 1]");
        if (!(IouThreshold is >= 0 and <= 1)) throw new ArgumentException($"NMS: IoU threshold {IouThreshold} is not in [0, 1]");
        if (MaxDetections < 1) throw new ArgumentException($"NMS: max detections {MaxDetections} must be at least 1");
    }
}
