using NativeCam.Imaging;

namespace NativeCam.Detectors;

/// <summary>
/// One kept detection: its box in original-image pixels, its class probability and label (0 is background, so
/// labels start at 1), and the RPN proposal whose box-head outputs it was decoded from (the row of the class
/// logits a CAM explains).
/// </summary>
public sealed record RcnnDetection(Box Box, float Score, int Label, int Proposal);
