namespace NativeCam.Cam.Yolo;

/// <summary>Which raw predictions make up a target's score (docs/cam.md, "Box targets").</summary>
public enum TargetRegion
{
    /// <summary>The one prediction the detection was decoded from (its level, anchor and grid cell).</summary>
    Cell,
    /// <summary>
    /// Every prediction of the detection's level (any anchor, any cell) whose decoded box overlaps the detection's
    /// box with IoU ≥ <see cref="BoxSeeds.MinIoU"/>, each score weighted by that IoU: the network's evidence for this
    /// object wherever it predicts it, not at one cell only.
    /// </summary>
    Box,
}
