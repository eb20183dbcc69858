namespace NativeCam.Cam.Yolo;

/// <summary>What one map of a detection run explains (detect-cam's <c>--target-mode</c>, docs/cam.md "Target modes").</summary>
public enum TargetMode
{
    /// <summary>One map per detection (the default).</summary>
    PerDetection,
    /// <summary>One map per detected class, its score the sum of the scores of every detection of that class.</summary>
    SumClass,
    /// <summary>One map for a set of reference boxes, pytorch-grad-cam's FasterRCNNBoxScoreTarget (<see cref="MatchBoxTargets"/>; YOLOv5).</summary>
    MatchBox,
}
