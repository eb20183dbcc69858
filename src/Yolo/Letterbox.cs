using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5 v6.1 pre-processing (utils/augmentations.py letterbox with detect.py's arguments, then
/// HWC→CHW, BGR→RGB, /255): keep the aspect ratio, resize with OpenCV's uint8 INTER_LINEAR, pad with grey 114
/// to a multiple of the stride (auto) or to the full new shape, split the padding as YOLOv5 rounds it.
/// </summary>
public static class Letterbox
{
    public const byte PadValue = 114;

    /// <summary>
    /// The letterbox arithmetic, exactly as YOLOv5 does it in Python doubles: r = min(newH/h, newW/w)
    /// (capped at 1 unless <paramref name="scaleUp"/>), resized size (round(w·r), round(h·r)) with Python's
    /// round-half-even, padding dw, dh taken mod <paramref name="stride"/> when <paramref name="auto"/>, halved,
    /// and drawn as round(d − 0.1) before and round(d + 0.1) after (so an odd padding puts the extra pixel last).
    /// </summary>
    public static LetterboxInfo Plan(int imageHeight, int imageWidth, int newHeight = 640, int newWidth = 640,
        bool auto = true, bool scaleUp = true, int stride = 32)
    {
        if (imageHeight <= 0 || imageWidth <= 0 || newHeight <= 0 || newWidth <= 0 || stride <= 0)
            throw new ArgumentException($"letterbox: sizes must be positive (image {imageHeight}x{imageWidth}, new {newHeight}x{newWidth}, stride {stride})");
        double r = Math.Min((double)newHeight / imageHeight, (double)newWidth / imageWidth);
        if (!scaleUp) r = Math.Min(r, 1.0);
        int unpadW = (int)Math.Round(imageWidth * r, MidpointRounding.ToEven);
        int unpadH = (int)Math.Round(imageHeight * r, MidpointRounding.ToEven);
        if (unpadW < 1 || unpadH < 1)
            throw new ArgumentException($"letterbox: image {imageHeight}x{imageWidth} shrinks to nothing at {newHeight}x{newWidth}");
        int padW = newWidth - unpadW, padH = newHeight - unpadH;
        if (auto)
        {
            padW = Mod(padW, stride);
            padH = Mod(padH, stride);
        }
        double dw = padW / 2.0, dh = padH / 2.0;
        int top = (int)Math.Round(dh - 0.1, MidpointRounding.ToEven), bottom = (int)Math.Round(dh + 0.1, MidpointRounding.ToEven);
        int left = (int)Math.Round(dw - 0.1, MidpointRounding.ToEven), right = (int)Math.Round(dw + 0.1, MidpointRounding.ToEven);
        return new LetterboxInfo(r, dw, dh, left, top, right, bottom, unpadH, unpadW,
            unpadH + top + bottom, unpadW + left + right, imageHeight, imageWidth);
    }

    /// <summary>
    /// Letterboxes <paramref name="image"/> to <paramref name="size"/> (detect.py's --img-size, square) on the
    /// device: returns the float32 tensor [1, 3, H', W'] (RGB, values v/255) and the record of what was done.
    /// </summary>
    public static (Tensor Input, LetterboxInfo Info) Apply(Device device, RgbImage image, int size = 640,
        bool auto = true, bool scaleUp = true, int stride = 32) =>
        Apply(device, image, Plan(image.Height, image.Width, size, size, auto, scaleUp, stride));

    /// <summary>Runs a letterbox planned by <see cref="Plan"/> for this image's size (one kernel launch).</summary>
    public static (Tensor Input, LetterboxInfo Info) Apply(Device device, RgbImage image, LetterboxInfo info)
    {
        if (info.ImageHeight != image.Height || info.ImageWidth != image.Width)
            throw new ArgumentException($"letterbox: plan for {info.ImageHeight}x{info.ImageWidth} used on a {image.Height}x{image.Width} image");
        var input = Tensor.Empty(device, 1, 3, info.InputHeight, info.InputWidth);
        try
        {
            LetterboxKernel.Run(device, image, info, input);
            return (input, info);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    static int Mod(int a, int m) => ((a % m) + m) % m;
}
