using System.Diagnostics;
using NativeCam.Cam;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// Detect and explain one decoded image: letterbox → one forward (detections decoded from it, they become the
/// targets) → one backward sweep for all detections → the requested maps. detect-cam and the <c>NativeCam</c>
/// facade both run this, so the command line and the API cannot drift apart. Dispose it to free the maps.
/// </summary>
public sealed class DetectionPass : IDisposable
{
    DetectionPass(LetterboxInfo info, List<Detection> detections, CamResult result, double preprocessMs, double forwardMs)
    {
        Info = info;
        Detections = detections;
        Result = result;
        PreprocessMs = preprocessMs;
        ForwardMs = forwardMs;
    }

    /// <summary>How the image was letterboxed into the network input.</summary>
    public LetterboxInfo Info { get; }

    /// <summary>The detections after NMS, in order; target k of <see cref="Result"/> is detection k.</summary>
    public List<Detection> Detections { get; }

    /// <summary>The maps, one row per detection.</summary>
    public CamResult Result { get; }

    /// <summary>Milliseconds spent letterboxing, and in the forward pass with decoding and NMS.</summary>
    public double PreprocessMs { get; }
    public double ForwardMs { get; }

    /// <summary>Runs the pass on <paramref name="image"/> (letterboxed here, once, to <paramref name="size"/>) with any
    /// detector family (YOLOv5, YOLOv8/YOLO11) and its CAM adapter.</summary>
    public static DetectionPass Run(ICamAdapter<YoloTargets> adapter, IDetector detector, RgbImage image, int size, NmsOptions? nms,
        CamScore score, TargetRegion region, CamRequest request)
    {
        var clock = Stopwatch.StartNew();
        var (input, info) = Letterbox.Apply(detector.Device, image, size);
        using var _ = input;
        double preprocess = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
        List<Detection> detections = [];
        double forward = 0;
        var result = CamEngine.Compute(adapter, input, outputs =>
        {
            detections = detector.Postprocess(outputs, info, nms);
            forward = Math.Round(clock.Elapsed.TotalMilliseconds - preprocess, 1);
            return YoloTargets.FromDetections(detections, score, region);
        }, request);
        return new DetectionPass(info, detections, result, preprocess, forward);
    }

    /// <summary>Each detection's <paramref name="method"/> maps at <paramref name="layers"/> fused into one map at the
    /// network input's size (<see cref="MapFusion"/>): [detections, H, W], a new tensor the caller disposes.</summary>
    public Tensor Fuse(CamMethod method, IReadOnlyList<string> layers) =>
        MapFusion.Fuse(layers.Select(l => Result[method, l].Map).ToArray(), Info.InputHeight, Info.InputWidth);

    /// <summary>Frees the maps.</summary>
    public void Dispose() => Result.Dispose();
}
