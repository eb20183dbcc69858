using NativeCam.Imaging;

namespace NativeCam.Detectors;

/// <summary>
/// One kept RetinaNet detection: its box in original-image pixels, its sigmoid score and label (RetinaNet has no
/// background column: label k is column k of the head), and where it was decoded from: the pyramid level (0…4 for
/// P3–P7) and the anchor's index in that level's flattened order ((y·W + x)·A + a) — its class logit is the one a CAM
/// explains.
/// </summary>
public sealed record RetinaDetection(Box Box, float Score, int Label, int Level, int Anchor);
