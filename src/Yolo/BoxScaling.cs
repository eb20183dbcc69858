using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5 v6.1's scale_coords as detect.py calls it (no ratio_pad): the gain and padding are recomputed from
/// the two shapes, gain = min(H'/H, W'/W) and pad = ((W' − W·gain)/2, (H' − H·gain)/2) in doubles; the box is
/// shifted by the padding and divided by the gain in float32 (PyTorch's scalar ops on a float tensor), then
/// clipped to [0, W] x [0, H].
/// </summary>
public static class BoxScaling
{
    public static Box ToImage(Box box, int inputHeight, int inputWidth, int imageHeight, int imageWidth)
    {
        double gain = Math.Min((double)inputHeight / imageHeight, (double)inputWidth / imageWidth);
        float padX = (float)((inputWidth - imageWidth * gain) / 2), padY = (float)((inputHeight - imageHeight * gain) / 2);
        float g = (float)gain;
        return new Box(
            Math.Clamp((box.X1 - padX) / g, 0f, imageWidth),
            Math.Clamp((box.Y1 - padY) / g, 0f, imageHeight),
            Math.Clamp((box.X2 - padX) / g, 0f, imageWidth),
            Math.Clamp((box.Y2 - padY) / g, 0f, imageHeight));
    }
}
