namespace NativeCam.Detectors;

/// <summary>
/// The inference settings of torchvision's RetinaNet that a state dict does not hold; the defaults are
/// retinanet_resnet50_fpn's (torchvision 0.14, test time).
/// </summary>
public sealed record RetinaOptions
{
    /// <summary>GeneralizedRCNNTransform's min_size.</summary>
    public int MinSize { get; init; } = 800;

    /// <summary>GeneralizedRCNNTransform's max_size.</summary>
    public int MaxSize { get; init; } = 1333;

    /// <summary>Candidates need a sigmoid score above this (score_thresh, strictly greater).</summary>
    public float ScoreThresh { get; init; } = 0.05f;

    /// <summary>Per-class NMS IoU threshold (nms_thresh).</summary>
    public float NmsThresh { get; init; } = 0.5f;

    /// <summary>Detections kept per image (detections_per_img).</summary>
    public int DetectionsPerImage { get; init; } = 300;

    /// <summary>Best (anchor, class) candidates kept per level before NMS (topk_candidates).</summary>
    public int TopkCandidates { get; init; } = 1000;

    /// <summary>The transform's settings (sizes; ImageNet mean and std).</summary>
    public RcnnOptions Transform => new() { MinSize = MinSize, MaxSize = MaxSize };

    /// <summary>Throws for values torchvision would not run with.</summary>
    public void Validate()
    {
        if (MinSize < 1 || MaxSize < 1) throw new ArgumentException($"min size {MinSize} and max size {MaxSize} must be positive");
        if (DetectionsPerImage < 1 || TopkCandidates < 1) throw new ArgumentException("detections per image and topk candidates must be positive");
        if (!(ScoreThresh >= 0 && ScoreThresh <= 1) || !(NmsThresh >= 0 && NmsThresh <= 1))
            throw new ArgumentException("score and IoU thresholds must lie in [0, 1]");
    }
}
