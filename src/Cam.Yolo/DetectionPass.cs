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
    DetectionPass(LetterboxInfo info, List<Detection> detections, CamResult result, double preprocessMs, double forwardMs,
        IReadOnlyList<int[]>? groups = null)
    {
        Info = info;
        Detections = detections;
        Groups = groups ?? detections.Select((_, i) => new[] { i }).ToArray();
        Result = result;
        PreprocessMs = preprocessMs;
        ForwardMs = forwardMs;
    }

    /// <summary>How the image was letterboxed into the network input.</summary>
    public LetterboxInfo Info { get; }

    /// <summary>The detections after NMS, in order; target k of <see cref="Result"/> is detection k.</summary>
    public List<Detection> Detections { get; }

    /// <summary>The maps, one row per target: per detection, or per group of <see cref="Groups"/>.</summary>
    public CamResult Result { get; }

    /// <summary>The detections each map row stands for (ascending): [k] per detection, all of a class with
    /// <see cref="TargetMode.SumClass"/> (classes in order of their best detection).</summary>
    public IReadOnlyList<int[]> Groups { get; }

    /// <summary>Each map row's first detection (the best of its group): the detection it is drawn and measured with.</summary>
    public List<Detection> Rows => Groups.Select(g => Detections[g[0]]).ToList();

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

    /// <summary>As <see cref="Run(ICamAdapter{YoloTargets}, IDetector, RgbImage, int, NmsOptions?, CamScore, TargetRegion, CamRequest)"/>,
    /// with one map per target of <paramref name="mode"/>: per detection, or per class summed over its detections.</summary>
    public static DetectionPass Run(ICamAdapter<YoloTargets> adapter, IDetector detector, RgbImage image, int size, NmsOptions? nms,
        CamScore score, TargetRegion region, CamRequest request, TargetMode mode, IReadOnlyList<(Box ImageBox, int ClassId)>? references = null)
    {
        if (mode == TargetMode.PerDetection) return Run(adapter, detector, image, size, nms, score, region, request);
        if (mode == TargetMode.MatchBox) return RunMatchBox(adapter, detector, image, size, nms, score, request, references);
        var clock = Stopwatch.StartNew();
        var (input, info) = Letterbox.Apply(detector.Device, image, size);
        using var _ = input;
        double preprocess = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
        List<Detection> detections = [];
        int[][] groups = [];
        double forward = 0;
        var result = CamEngine.Compute(new GroupedAdapter<YoloTargets>(adapter), input, outputs =>
        {
            detections = detector.Postprocess(outputs, info, nms);
            forward = Math.Round(clock.Elapsed.TotalMilliseconds - preprocess, 1);
            groups = ClassGroups(detections);
            return new GroupedTargets<YoloTargets>(YoloTargets.FromDetections(detections, score, region), groups);
        }, request);
        return new DetectionPass(info, detections, result, preprocess, forward, groups);
    }

    // match-box: one target, the reference boxes (the image's own detections unless given, in original-image pixels)
    // matched to this forward's detections; its one map stands for the matched detections.
    static DetectionPass RunMatchBox(ICamAdapter<YoloTargets> adapter, IDetector detector, RgbImage image, int size, NmsOptions? nms,
        CamScore score, CamRequest request, IReadOnlyList<(Box ImageBox, int ClassId)>? references)
    {
        var v5 = adapter as YoloCamAdapter ?? throw new ArgumentException("CAM: --target-mode match-box is available for YOLOv5 only");
        var clock = Stopwatch.StartNew();
        var (input, info) = Letterbox.Apply(detector.Device, image, size);
        using var _ = input;
        double preprocess = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
        List<Detection> detections = [];
        int[][] groups = [];
        double forward = 0;
        var result = CamEngine.Compute(new MatchBoxAdapter(v5), input, outputs =>
        {
            detections = detector.Postprocess(outputs, info, nms);
            forward = Math.Round(clock.Elapsed.TotalMilliseconds - preprocess, 1);
            var refs = references?.Select(r => (ToInput(r.ImageBox, info), r.ClassId)).ToArray()
                ?? detections.Select(d => (d.InputBox, d.ClassId)).ToArray();
            var (targets, matched) = MatchBoxTargets.Find(refs, detections, score);
            groups = targets.Count > 0 ? [matched.Where(j => j >= 0).Distinct().Order().ToArray()] : [];
            return targets;
        }, request);
        return new DetectionPass(info, detections, result, preprocess, forward, groups);
    }

    /// <summary>A box in original-image pixels in the letterboxed input's pixels (x·ratio + dw, y·ratio + dh).</summary>
    public static Box ToInput(Box b, LetterboxInfo info) => new((float)(b.X1 * info.Ratio + info.Dw), (float)(b.Y1 * info.Ratio + info.Dh),
        (float)(b.X2 * info.Ratio + info.Dw), (float)(b.Y2 * info.Ratio + info.Dh));

    /// <summary>The detections' indices grouped by class, each group ascending, groups in order of their first index
    /// (detections come by decreasing confidence, so by each class's best detection).</summary>
    public static int[][] ClassGroups(IReadOnlyList<Detection> detections) =>
        detections.Select((d, i) => (d.ClassId, i)).GroupBy(x => x.ClassId).Select(g => g.Select(x => x.i).ToArray()).ToArray();

    /// <summary>Each detection's <paramref name="method"/> maps at <paramref name="layers"/> fused into one map at the
    /// network input's size (<see cref="MapFusion"/>): [detections, H, W], a new tensor the caller disposes.</summary>
    public Tensor Fuse(CamMethod method, IReadOnlyList<string> layers) =>
        MapFusion.Fuse(layers.Select(l => Result[method, l].Map).ToArray(), Info.InputHeight, Info.InputWidth);

    /// <summary>Frees the maps.</summary>
    public void Dispose() => Result.Dispose();
}
