namespace NativeCam.Yolo;

/// <summary>
/// The layout of YOLOv5's Detect layer: per level a stride and its anchors (width, height pairs in input
/// pixels), and the class count. Level l's conv output is [1, na·(nc + 5), ny, nx]; for anchor a the channels
/// a·(nc + 5) + 0..3 are the box (x, y, w, h), + 4 the objectness and + 5 + c the logit of class c.
/// </summary>
public sealed record DetectHead(int NumClasses, IReadOnlyList<float[]> Anchors, IReadOnlyList<int> Strides)
{
    /// <summary>Outputs per anchor: 4 box values, objectness and one logit per class.</summary>
    public int Outputs => NumClasses + 5;

    public int Levels => Strides.Count;

    /// <summary>Anchors per level (every level has the same number in YOLOv5).</summary>
    public int AnchorsPerLevel => Anchors[0].Length / 2;

    /// <summary>YOLOv5 v6.x P3-P5 head: strides 8/16/32 and the default COCO anchors of its model yamls.</summary>
    public static DetectHead YoloV5(int numClasses = 80) => new(numClasses,
        [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]], [8, 16, 32]);

    /// <summary>The raw channel of class <paramref name="classId"/>'s logit for <paramref name="anchor"/>.</summary>
    public int ClassChannel(int anchor, int classId) => anchor * Outputs + 5 + classId;

    /// <summary>The raw channel of the objectness logit for <paramref name="anchor"/>.</summary>
    public int ObjectnessChannel(int anchor) => anchor * Outputs + 4;
}
