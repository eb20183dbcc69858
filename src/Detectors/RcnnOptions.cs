namespace NativeCam.Detectors;

/// <summary>
/// The inference settings of torchvision's FasterRCNN that a state dict does not hold; the defaults are
/// fasterrcnn_resnet50_fpn's (torchvision 0.14, test time).
/// </summary>
public sealed record RcnnOptions
{
    /// <summary>GeneralizedRCNNTransform's min_size: the shorter side is resized to this…</summary>
    public int MinSize { get; init; } = 800;

    /// <summary>…unless the longer side would exceed max_size.</summary>
    public int MaxSize { get; init; } = 1333;

    /// <summary>ImageNet mean and std the transform normalises with.</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <inheritdoc cref="Mean"/>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>RPN: best anchors kept per FPN level before NMS (rpn_pre_nms_top_n_test).</summary>
    public int RpnPreNmsTopN { get; init; } = 1000;

    /// <summary>RPN: proposals kept per image after NMS (rpn_post_nms_top_n_test).</summary>
    public int RpnPostNmsTopN { get; init; } = 1000;

    /// <summary>RPN NMS IoU threshold.</summary>
    public float RpnNmsThresh { get; init; } = 0.7f;

    /// <summary>Box head: class probabilities above this are candidates (box_score_thresh, strictly greater).</summary>
    public float BoxScoreThresh { get; init; } = 0.05f;

    /// <summary>Box head: per-class NMS IoU threshold.</summary>
    public float BoxNmsThresh { get; init; } = 0.5f;

    /// <summary>Detections kept per image (box_detections_per_img).</summary>
    public int DetectionsPerImage { get; init; } = 100;

    /// <summary>Throws for values torchvision would not run with.</summary>
    public void Validate()
    {
        if (MinSize < 1 || MaxSize < 1) throw new ArgumentException($"min size {MinSize} and max size {MaxSize} must be positive");
        if (RpnPreNmsTopN < 1 || RpnPostNmsTopN < 1 || DetectionsPerImage < 1)
            throw new ArgumentException("the RPN top-n and detections per image must be positive");
        if (!(BoxScoreThresh >= 0 && BoxScoreThresh <= 1) || !(BoxNmsThresh >= 0 && BoxNmsThresh <= 1) || !(RpnNmsThresh >= 0 && RpnNmsThresh <= 1))
            throw new ArgumentException("score and IoU thresholds must lie in [0, 1]");
    }
}
