using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>What <see cref="Annotator.Draw"/> draws: a box in image pixels, its label (null or empty: none) and its
/// colour. A family makes these from its own results (YOLO: a detection's image box, "class conf", the class colour).</summary>
public readonly record struct LabeledBox(Box Box, string? Label, Rgb Color);
