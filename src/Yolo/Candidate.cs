using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// A decoded prediction that passed the confidence filters: its box in letterboxed-input pixels, its score
/// obj·cls for the best class, and where it came from: <see cref="Row"/> is its index in YOLOv5's
/// concatenated prediction list (level, then anchor, grid y, grid x), plus the raw logits behind it.
/// </summary>
public readonly record struct Candidate(
    Box Box, float Score, int ClassId, int Row,
    int Level, int Anchor, int GridY, int GridX,
    int ClassChannel, float ClassLogit, float ObjectnessLogit);
