using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>detect.py after the forward pass: decode the three Detect outputs, NMS, map boxes to the image.</summary>
public static class Postprocess
{
    public static List<Detection> Run(DetectHead head, IReadOnlyList<DetectOutput> outputs, LetterboxInfo info,
        NmsOptions? options = null) =>
        Run(head, outputs, info.InputHeight, info.InputWidth, info.ImageHeight, info.ImageWidth, options);

    public static List<Detection> Run(DetectHead head, IReadOnlyList<DetectOutput> outputs,
        int inputHeight, int inputWidth, int imageHeight, int imageWidth, NmsOptions? options = null)
    {
        options ??= new NmsOptions();
        var kept = Nms.Select(DetectDecoder.Decode(head, outputs, options), options);
        return kept.Select(c => new Detection(c.ClassId, c.Score, c.Box,
            BoxScaling.ToImage(c.Box, inputHeight, inputWidth, imageHeight, imageWidth),
            c.Level, c.Anchor, c.GridY, c.GridX, c.Row, c.ClassChannel, c.ClassLogit, c.ObjectnessLogit)).ToList();
    }
}
