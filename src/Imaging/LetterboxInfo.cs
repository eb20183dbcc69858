namespace NativeCam.Imaging;

/// <summary>
/// What YOLOv5's letterbox did to one image: the scale <see cref="Ratio"/> (new / old, the same for both axes),
/// the resized size before padding, the padding split (<see cref="Dw"/>, <see cref="Dh"/> are the half-paddings
/// YOLOv5 returns; the integer sides are what was drawn), and the network input and original image sizes.
/// </summary>
public sealed record LetterboxInfo(
    double Ratio,
    double Dw, double Dh,
    int PadLeft, int PadTop, int PadRight, int PadBottom,
    int ResizedHeight, int ResizedWidth,
    int InputHeight, int InputWidth,
    int ImageHeight, int ImageWidth)
{
    /// <summary>True when the image is resized (YOLOv5 skips cv2.resize when the size is unchanged).</summary>
    public bool Resizes => ResizedHeight != ImageHeight || ResizedWidth != ImageWidth;
}
