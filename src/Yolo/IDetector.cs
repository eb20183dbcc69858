using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// What detect and layers need from a detector of either family: YOLOv5 (<see cref="YoloDetector"/>) or
/// Ultralytics YOLOv8 (<see cref="Yolov8Detector"/>). Each keeps its own NMS defaults.
/// </summary>
public interface IDetector : IDisposable
{
    /// <summary>The device the network runs on.</summary>
    Device Device { get; }

    /// <summary>"YOLOv5" or "YOLOv8", for messages.</summary>
    string Family { get; }

    /// <summary>Class names by id.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of yaml layers.</summary>
    int LayerCount { get; }

    /// <summary>The family's predict defaults (YOLOv5 detect.py: IoU 0.45, max_det 1000; Ultralytics: IoU 0.7, max_det 300).</summary>
    NmsOptions DefaultNms { get; }

    /// <summary>The raw Detect outputs for a letterboxed input, on the active tape.</summary>
    Var[] Forward(Tensor input);

    /// <summary>Decode + NMS, boxes on the original image.</summary>
    List<Detection> Postprocess(IReadOnlyList<Var> outputs, LetterboxInfo info, NmsOptions? options = null);
}
