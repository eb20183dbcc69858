using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5 detect.py as a pipeline: a network plus the head layout its decoder needs. <see cref="Detect"/>
/// runs letterbox → forward → decode + NMS in one call; CAM code uses <see cref="Forward"/> inside its own
/// tape (so it can watch layers and run backward) and <see cref="Postprocess"/> on the outputs.
/// </summary>
public sealed class YoloDetector : IDetector
{
    public YoloDetector(Device device, YoloModel model)
    {
        Device = device;
        Model = model;
    }

    public Device Device { get; }
    public YoloModel Model { get; }

    /// <inheritdoc/>
    public string Family => "YOLOv5";
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => Model.ClassNames;
    /// <inheritdoc/>
    public int LayerCount => Model.Layers.Count;
    /// <inheritdoc/>
    public NmsOptions DefaultNms { get; } = new();

    /// <summary>Loads a YOLOv5 <c>.pt</c> or converted <c>.msgpack</c> file onto <paramref name="device"/>.</summary>
    public static YoloDetector Load(Device device, string weightsPath) =>
        new(device, YoloModel.Build(device, YoloCheckpoint.Load(weightsPath)));

    /// <summary>Opens a weight file and builds whichever family it holds (YOLOv5, or Ultralytics YOLOv8).</summary>
    public static IDetector LoadAny(Device device, string weightsPath)
    {
        var file = NativeCam.Weights.WeightFile.Load(weightsPath);
        string name = Path.GetFileName(weightsPath);
        return file.Metadata.Architecture == NativeCam.Weights.ArchitectureKinds.Yolov8
            ? Yolov8Detector.FromWeights(device, file, name)
            : new YoloDetector(device, YoloModel.Build(device, YoloCheckpoint.FromWeights(file, name)));
    }

    /// <summary>The raw Detect outputs for a letterboxed input, on the active tape.</summary>
    public Var[] Forward(Tensor input) => Model.Forward(Var.Input(input));

    /// <summary>The Detect layout for an input of this size: strides are input size over each level's grid.</summary>
    public DetectHead Head(int inputHeight, IReadOnlyList<Var> outputs) => new(
        Model.Head.Classes, Model.Head.AnchorsPx, outputs.Select(o => inputHeight / o.Shape[2]).ToArray());

    /// <summary>Decode + NMS of the raw outputs, boxes mapped to the original image (one host copy of the outputs).</summary>
    public List<Detection> Postprocess(IReadOnlyList<Var> outputs, LetterboxInfo info, NmsOptions? options = null) =>
        Yolo.Postprocess.Run(Head(info.InputHeight, outputs), outputs.Select(o => DetectOutput.FromTensor(o.Value)).ToArray(), info, options);

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
