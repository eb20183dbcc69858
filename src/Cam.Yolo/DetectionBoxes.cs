using System.Globalization;
using NativeCam.Cam.Render;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>YOLOv5 detections as the renderer's <see cref="LabeledBox"/>es.</summary>
public static class DetectionBoxes
{
    /// <summary>A detection at its <see cref="Detection.ImageBox"/>, labelled "class conf" (YOLOv5's style) in its
    /// class colour; a class id with no name is labelled by its number.</summary>
    public static LabeledBox Labeled(Detection detection, IReadOnlyList<string> classNames)
    {
        string name = detection.ClassId >= 0 && detection.ClassId < classNames.Count
            ? classNames[detection.ClassId] : detection.ClassId.ToString(CultureInfo.InvariantCulture);
        return new LabeledBox(detection.ImageBox, Annotator.Label(name, detection.Confidence), Palette.ForClass(detection.ClassId));
    }
}
