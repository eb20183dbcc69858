using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Render;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Yolo;

namespace NativeCam;

/// <summary>
/// YOLOv5 and Ultralytics YOLOv8/YOLO11: detect-cam's defaults (docs/cam-defaults.md) through the same <see cref="DetectionPass"/> — each
/// detection's logit, box targets, its maps at the layers feeding Detect fused into one — at 640 pixels with
/// detect.py's NMS. <c>top</c> does not apply; <c>classes</c> keeps only detections of those classes.
/// </summary>
sealed class DetectorFamily(IDetector detector) : IFamily
{
    readonly ICamAdapter<YoloTargets> _adapter = DetectorAdapters.For(detector);

    public ModelFamily Family => detector is Yolov8Detector ? ModelFamily.Yolov8 : ModelFamily.Yolov5;
    public IReadOnlyList<string> ClassNames => detector.ClassNames;
    public CamMethod DefaultMethod => CamMethod.LayerCam;
    public MethodSettings Settings { get; set; } = new();

    public Explanation Explain(string source, RgbImage image, CamMethod method, int top, IReadOnlyList<int>? classes)
    {
        var layers = _adapter.DefaultLayers;
        using var pass = DetectionPass.Run(_adapter, detector, image, 640, detector.DefaultNms with { Classes = classes }, CamScore.Logit,
            TargetRegion.Box, Settings.Request(method, layers));
        var detections = pass.Detections;
        if (detections.Count == 0) return new Explanation(source, image, Methods.Name(method), []);
        using var fused = InputAttribution.InInputSpace(method) // already one map per detection at the input
            ? pass.Result[method, InputAttribution.Layer].Map.Clone() : pass.Fuse(method, layers);
        var rendered = HeatmapRenderer.Render(fused, pass.Info, image);
        var maps = ImageMaps.ToImage(fused, pass.Info);
        var targets = detections.Select((d, k) =>
        {
            new Annotator(rendered.Overlays[k]).Draw(DetectionBoxes.Labeled(d, ClassNames));
            return new ExplainedTarget(k, d.ClassId, ClassNames[d.ClassId], d.Confidence, d.ImageBox,
                Methods.ToGrid(maps[k], image.Height, image.Width), rendered.Overlays[k]);
        }).ToList();
        return new Explanation(source, image, Methods.Name(method), targets);
    }

    public void Dispose() => detector.Dispose();
}
