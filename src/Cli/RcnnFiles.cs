using NativeCam.Detectors;
using NativeCam.Tensors;
using NativeCam.Weights;

namespace NativeCam.Cli;

/// <summary>
/// Whether a weight file is a torchvision two-stage/dense detector's state dict (keys under rpn.head, roi_heads or
/// head.classification_head) rather than a YOLO checkpoint, and loading it with one-line errors.
/// </summary>
public static class RcnnFiles
{
    /// <summary>True for a torchvision detection state dict; false for anything else, unreadable files included (the YOLO
    /// loader then reports them as before).</summary>
    public static bool IsTorchvisionDetector(string path)
    {
        try
        {
            InputFile.Check(path); // a pipe, device or missing file is refused by the YOLO path's own check, never opened here
            return WeightFile.Load(path).Tensors.Any(t => t.Name.StartsWith("rpn.head.", StringComparison.Ordinal)
                || t.Name.StartsWith("roi_heads.", StringComparison.Ordinal) || t.Name.StartsWith("head.classification_head.", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The model, or a one-line <see cref="CliError"/> naming what the file holds.</summary>
    public static FasterRcnn Load(Device device, string path, RcnnOptions? options = null) =>
        WeightErrors.Guard(path, () =>
        {
            try { return FasterRcnn.Load(device, path, options); }
            catch (InvalidDataException e) { throw new CliError($"{Path.GetFileName(path)}: {e.Message}"); }
            catch (ArgumentException e) { throw new CliError($"{Path.GetFileName(path)}: {e.Message}"); }
        });

    /// <summary>torchvision's test-time settings, with --max-det (detections per image) and --iou (the box head's
    /// per-class NMS) and --img-size (min_size; max_size stays 1333) when given; --conf keeps YOLO's meaning and is not
    /// applied (torchvision's score_thresh 0.05 is).</summary>
    public static RcnnOptions Options(DetectOptions.Settings settings) => new()
    {
        MinSize = settings.ImageSizeGiven ? settings.ImageSize : 800,
        DetectionsPerImage = settings.MaxDetGiven ? settings.Nms.MaxDetections : 100,
        BoxNmsThresh = settings.IouGiven ? (float)settings.Nms.IouThreshold : 0.5f,
    };

    /// <summary>The class names of a model.</summary>
    public static IReadOnlyList<string> Names(FasterRcnn model) => CocoCategories.For(model.Arch.Classes);
}
