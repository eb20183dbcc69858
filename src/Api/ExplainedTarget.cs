using NativeCam.Imaging;

namespace NativeCam;

/// <summary>
/// One explained target: a detection (with its <see cref="Box"/>) or a class (no box). <see cref="Map"/> is its
/// heat map at the size of <see cref="Explanation.Image"/>, [height, width], before normalisation (larger = more
/// evidence); <see cref="Overlay"/> is that map drawn on the image.
/// </summary>
/// <param name="Index">Position in <see cref="Explanation.Targets"/> (detections in NMS order, classes as asked).</param>
/// <param name="ClassId">The class index in the model's outputs.</param>
/// <param name="Label">The class name.</param>
/// <param name="Score">Detection confidence, or the class's softmax probability.</param>
/// <param name="Box">The detection's box in image pixels; null for classifiers.</param>
public sealed record ExplainedTarget(int Index, int ClassId, string Label, double Score, Box? Box, float[,] Map, RgbImage Overlay)
{
    /// <summary>"bus 0.87", as captions show it.</summary>
    public override string ToString() => $"{Label} {Score:0.00}";
}
