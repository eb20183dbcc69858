namespace NativeCam.Detectors;

/// <summary>
/// torchvision's COCO_V1 category names for its 91-class detectors (index 0 is background, "N/A" marks the ids
/// COCO left unused), from FasterRCNN_ResNet50_FPN_Weights.COCO_V1.meta["categories"]. Other class counts (fine-tuned
/// heads) are named "class N".
/// </summary>
public static class CocoCategories
{
    /// <summary>The 91 names.</summary>
    public static readonly string[] Names =
    [
        "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A",
        "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
        "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork",
        "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
        "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet",
        "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
        "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush"
    ];

    /// <summary>Names for a model of <paramref name="classes"/> classes (background included).</summary>
    public static IReadOnlyList<string> For(int classes) =>
        classes == Names.Length ? Names : Enumerable.Range(0, classes).Select(c => c == 0 ? "__background__" : $"class {c}").ToArray();
}
