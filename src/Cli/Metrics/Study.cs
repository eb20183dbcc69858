using System.Diagnostics;
using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Faithfulness;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Yolo;

namespace NativeCam.Cli.Metrics;

/// <summary>
/// The map-quality study (docs/cam-defaults.md): for every image, score and target region, one forward and one
/// K-target backward with every requested layer watched, then every method × layer spec measured on the same
/// gradients; and, per layer spec, score and region, the time of the detect-cam compute (forward, backward, maps)
/// with only that spec's layers, method Grad-CAM. Any detector detect-cam explains (YOLOv5, YOLOv8, YOLO11), through
/// its <see cref="DetectorAdapters">CAM adapter</see>.
/// </summary>
public sealed class Study(IDetector detector, DetectOptions.Settings detect)
{
    readonly ICamAdapter<YoloTargets> _adapter = DetectorAdapters.For(detector);
    readonly NmsOptions _nms = detect.NmsFor(detector.DefaultNms);

    /// <summary>Every row, methods × specs × scores × regions, detections of all images pooled.</summary>
    public List<StudyRow> Run(IReadOnlyList<string> images, IReadOnlyList<CamMethod> methods, IReadOnlyList<LayerSpec> specs,
        IReadOnlyList<CamScore> scores, IReadOnlyList<TargetRegion> regions, Action<string>? progress = null, bool faithfulness = false)
    {
        var pooled = new Dictionary<(CamMethod, string, CamScore, TargetRegion), List<MapQuality>>();
        var faithful = new Dictionary<(CamMethod, string, CamScore, TargetRegion), List<FaithfulnessScores>>();
        var times = new Dictionary<(string, CamScore, TargetRegion), double>();
        foreach (var path in images)
        {
            var image = ImageInputs.Decode(path, detect.MaxPixels);
            var (input, info) = Letterbox.Apply(detector.Device, image, detect.ImageSize);
            using var _ = input;
            List<Detection> detections = [];
            foreach (var score in scores)
                foreach (var region in regions)
                {
                    progress?.Invoke($"{Path.GetFileName(path)} {Name(score)} {Name(region)}");
                    var request = new CamRequest { Methods = methods, Layers = specs.SelectMany(s => s.Requested).Distinct().ToArray() };
                    using var result = CamEngine.Compute(_adapter, input, outputs =>
                    {
                        detections = detector.Postprocess(outputs, info, _nms);
                        return YoloTargets.FromDetections(detections, score, region);
                    }, request);
                    if (detections.Count == 0) continue;
                    var boxes = detections.Select(d => d.ImageBox).ToArray();
                    var maps = new DetectionMaps(result, info);
                    foreach (var method in methods)
                    {
                        foreach (var spec in specs)
                        {
                            var quality = MapQuality.Measure(maps.For(method, spec), info.ImageHeight, info.ImageWidth, boxes);
                            var key = (method, spec.Text, score, region);
                            if (!pooled.TryGetValue(key, out var list)) pooled[key] = list = [];
                            list.AddRange(quality);
                            if (!faithfulness) continue;
                            if (!faithful.TryGetValue(key, out var f)) faithful[key] = f = [];
                            f.AddRange(Faithful(input, info, detections, maps.ForInput(method, spec)));
                        }
                        maps.Release(method);
                    }
                    foreach (var spec in specs)
                    {
                        var key = (spec.Text, score, region);
                        times[key] = times.GetValueOrDefault(key) + Time(input, info, spec, score, region);
                    }
                }
        }
        return (from method in methods from spec in specs from score in scores from region in regions
                let key = (method, spec.Text, score, region)
                where pooled.ContainsKey(key)
                select new StudyRow(CamOptions.NameOf(method), spec.Text, Name(score), Name(region), pooled[key],
                    Math.Round(times[(spec.Text, score, region)], 1), faithful.GetValueOrDefault(key))).ToList();
    }

    // --faithfulness: each detection's map measured with its own confidence re-read at its cell (as detect-cam --faithfulness).
    FaithfulnessScores[] Faithful(NativeCam.Tensors.Tensor input, LetterboxInfo info, List<Detection> detections, float[][] maps)
    {
        var scorer = _adapter as ICamScores<YoloTargets> ?? throw new CliError($"--faithfulness: not available for {detector.Family} yet (YOLOv5 only)");
        var targets = YoloTargets.FromDetections(detections, CamScore.Confidence, TargetRegion.Cell);
        Var[]? seen = null;
        double[] scores = [];
        var confidence = BatchConfidence.From(detector.Device, _adapter.Forward, 3, info.InputHeight, info.InputWidth, (outputs, b, k) =>
        {
            if (!ReferenceEquals(seen, outputs)) (seen, scores) = (outputs, scorer.Scores(outputs, targets));
            return scores[b * targets.Count + k];
        });
        return FaithfulnessMetrics.Measure(confidence, input.ToArray(), 3, info.InputHeight, info.InputWidth, maps,
            Enumerable.Range(0, detections.Count).ToArray());
    }

    // One detect-cam compute (forward, NMS, backward, Grad-CAM maps at the spec's layers), after a warm-up run.
    double Time(NativeCam.Tensors.Tensor input, LetterboxInfo info, LayerSpec spec, CamScore score, TargetRegion region)
    {
        var request = new CamRequest { Methods = [CamMethod.GradCam], Layers = spec.Requested.ToArray() };
        double best = double.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            var clock = Stopwatch.StartNew();
            using (CamEngine.Compute(_adapter, input, outputs => YoloTargets.FromDetections(detector.Postprocess(outputs, info, _nms), score, region), request))
                best = i == 0 ? best : Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    public static string Name(CamScore score) => score switch { CamScore.Logit => "logit", CamScore.Confidence => "conf", _ => "obj" };
    public static string Name(TargetRegion region) => region == TargetRegion.Box ? "box" : "cell";
}
