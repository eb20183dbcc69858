using NativeCam.Detectors;
using NativeCam.Tensors;
using NativeCam.Weights;

namespace NativeCam.Cli;

/// <summary>Whether a weight file is a torchvision RetinaNet state dict (its head.classification_head keys), and loading it with one-line errors.</summary>
public static class RetinaFiles
{
    /// <summary>True for a RetinaNet state dict (v1 or v2; FCOS excluded); false for anything else, unreadable files included.</summary>
    public static bool IsRetinaNet(string path)
    {
        try
        {
            InputFile.Check(path); // a pipe, device or missing file is refused by the YOLO path's own check, never opened here
            return RetinaNetArch.IsRetinaNet(WeightFile.Load(path).Tensors.ToDictionary(t => t.Name, t => t.Shape, StringComparer.Ordinal));
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The model, or a one-line <see cref="CliError"/> naming what the file holds.</summary>
    public static RetinaNet Load(Device device, string path, RetinaOptions? options = null) =>
        WeightErrors.Guard(path, () =>
        {
            try { return RetinaNet.Load(device, path, options); }
            catch (InvalidDataException e) { throw new CliError($"{Path.GetFileName(path)}: {e.Message}"); }
            catch (ArgumentException e) { throw new CliError($"{Path.GetFileName(path)}: {e.Message}"); }
        });

    /// <summary>torchvision's test-time settings, with --max-det (detections_per_img, else 300), --iou (nms_thresh)
    /// and --img-size (min_size) when given; --conf keeps YOLO's meaning and is not applied (score_thresh 0.05 is).</summary>
    public static RetinaOptions Options(DetectOptions.Settings settings) => new()
    {
        MinSize = settings.ImageSizeGiven ? settings.ImageSize : 800,
        DetectionsPerImage = settings.MaxDetGiven ? settings.Nms.MaxDetections : 300,
        NmsThresh = settings.IouGiven ? (float)settings.Nms.IouThreshold : 0.5f,
    };

    /// <summary>The class names of a model (91 classes: COCO_V1's, else "class N").</summary>
    public static IReadOnlyList<string> Names(RetinaNet model) => CocoCategories.For(model.Arch.Classes);
}
