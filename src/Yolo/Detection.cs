using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// One detection after NMS. <see cref="InputBox"/> is in letterboxed-input pixels, <see cref="ImageBox"/> in
/// original image pixels (YOLOv5's scale_coords, clipped to the image). The origin fields name the raw
/// prediction it came from, which class-activation maps differentiate: Detect level, anchor, grid cell,
/// the raw channel of its class logit in that level's conv output, and the raw (pre-sigmoid) logits.
/// </summary>
public sealed record Detection(
    int ClassId, float Confidence,
    Box InputBox, Box ImageBox,
    int Level, int Anchor, int GridY, int GridX, int Row,
    int ClassChannel, float ClassLogit, float ObjectnessLogit)
{
    /// <summary>The raw channel of the objectness logit (same anchor block as the class channel).</summary>
    public int ObjectnessChannel => ClassChannel - 1 - ClassId;
}
