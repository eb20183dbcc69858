using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Weights;

namespace NativeCam.Yolo;

/// <summary>
/// Ultralytics predict as a pipeline for YOLOv8 and YOLO11 checkpoints: letterbox (640, rect, stride 32, pad 114) →
/// forward → DFL decode + NMS (conf 0.25, IoU 0.7, max_det 300, per class) → boxes on the original image.
/// </summary>
public sealed class Yolov8Detector : IDetector
{
    /// <summary>Ultralytics predict's NMS defaults.</summary>
    public static readonly NmsOptions DefaultNms = new(0.25, 0.7, 300);

    public Yolov8Detector(Device device, Yolov8Model model) => (Device, Model) = (device, model);

    public Device Device { get; }
    public Yolov8Model Model { get; }

    /// <inheritdoc/>
    public string Family => Model.Layers.Any(l => l.Type is "C3k2" or "C2PSA") ? "YOLO11" : "YOLOv8";
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => Model.ClassNames;
    /// <inheritdoc/>
    public int LayerCount => Model.Layers.Count;
    /// <inheritdoc/>
    NmsOptions IDetector.DefaultNms => DefaultNms;

    /// <summary>Loads an Ultralytics <c>.pt</c> (training save or model.save) or a converted file.</summary>
    public static Yolov8Detector Load(Device device, string path) => FromWeights(device, WeightFile.Load(path), Path.GetFileName(path));

    public static Yolov8Detector FromWeights(Device device, WeightFile file, string name)
    {
        var meta = file.Metadata;
        if (meta.Architecture != ArchitectureKinds.Yolov8)
            throw new InvalidDataException($"{name} is not an Ultralytics YOLOv8 checkpoint (architecture: {meta.Architecture})");
        var twice = file.Tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidDataException($"{name} holds tensor '{twice.Key}' more than once");
        var weights = new StateDict(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));
        var modules = meta.Modules.ToDictionary(m => m.Key, m => new ModuleInfo(m.Value.ClassName, m.Value.Attributes));
        var cfg = Yolov8Config.FromTree(meta.Config);
        return new Yolov8Detector(device, Yolov8Model.Build(device, cfg, weights, modules, meta.ClassNames));
    }

    /// <summary>The raw Detect level outputs for a letterboxed input, on the active tape.</summary>
    public Var[] Forward(Tensor input) => Model.Forward(Var.Input(input));

    /// <summary>Decode + NMS of the raw outputs, boxes mapped to the original image.</summary>
    public List<Detection> Postprocess(IReadOnlyList<Var> outputs, LetterboxInfo info, NmsOptions? options = null) =>
        AnchorFreeDecoder.Run(outputs.Select(o => (o.Value.ToArray(), o.Shape)).ToArray(), Model.Head.Classes, Model.Head.RegMax, info, options ?? DefaultNms);

    /// <summary>Letterbox, forward and post-process one image.</summary>
    public (List<Detection> Detections, LetterboxInfo Info) Detect(RgbImage image, int size = 640, NmsOptions? options = null)
    {
        var (input, info) = Letterbox.Apply(Device, image, size);
        using (input)
        using (new Tape { Inference = true })
            return (Postprocess(Forward(input), info, options), info);
    }

    public void Dispose() => Model.Dispose();
}
