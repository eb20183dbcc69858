using NativeCam.Imaging;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// One CAM target: a raw prediction of the Detect head (level, anchor, grid cell, class), a factor on its
/// score (1 unless a test checks scale invariance) and, for <see cref="TargetRegion.Box"/> targets, the detection's
/// box in letterboxed-input pixels.
/// </summary>
public sealed record YoloTarget(int Level, int Anchor, int GridY, int GridX, int ClassId, float Scale = 1f, Box? InputBox = null)
{
    /// <summary>The target of a detection: the raw prediction it was decoded from, and its box.</summary>
    public static YoloTarget From(Detection d) => new(d.Level, d.Anchor, d.GridY, d.GridX, d.ClassId, InputBox: d.InputBox);
}

/// <summary>The K targets of one backward sweep and the score they back-propagate.</summary>
public sealed class YoloTargets(IReadOnlyList<YoloTarget> targets, CamScore score = CamScore.Logit,
    TargetRegion region = TargetRegion.Cell) : ICamTargets
{
    /// <summary>The targets, in map order.</summary>
    public IReadOnlyList<YoloTarget> Items { get; } = targets;
    /// <summary>The score every target back-propagates.</summary>
    public CamScore Score { get; } = score;
    /// <summary>Whether each score is read at the target's own cell or over the predictions of its box.</summary>
    public TargetRegion Region { get; } = region;

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <summary>One target per detection, in order (the k-th map belongs to the k-th detection).</summary>
    public static YoloTargets FromDetections(IEnumerable<Detection> detections, CamScore score = CamScore.Logit,
        TargetRegion region = TargetRegion.Cell) => new(detections.Select(YoloTarget.From).ToArray(), score, region);

    /// <summary>The targets with indices <paramref name="indices"/> (same score and region).</summary>
    public YoloTargets Subset(params int[] indices) => new(indices.Select(i => Items[i]).ToArray(), Score, Region);
}
