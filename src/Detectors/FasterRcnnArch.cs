namespace NativeCam.Detectors;

/// <summary>
/// A torchvision Faster R-CNN (v1: ResNet-FPN body, TwoMLPHead) read from its state dict: the body's stage widths,
/// the FPN width, the box head's representation size and the class count (background included). Anything else —
/// v2, RetinaNet, FCOS, Mask/Keypoint R-CNN, a classifier — is refused with one line naming what the keys are.
/// </summary>
public sealed record FasterRcnnArch(string Name, int FpnChannels, int Representation, int Classes, string Description)
{
    /// <summary>Infers the architecture from canonical key shapes (<see cref="FasterRcnnCheckpoint.Canonical"/>).</summary>
    public static FasterRcnnArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        bool Has(string prefix) => shapes.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        if (Has("head.classification_head."))
            throw new InvalidDataException(Has("head.regression_head.bbox_ctrness") ? "an FCOS checkpoint (head.regression_head.bbox_ctrness): not supported yet, only Faster R-CNN v1"
                : "a RetinaNet checkpoint (head.classification_head.*), not a Faster R-CNN: load it as RetinaNet");
        if (Has("roi_heads.mask_head.") || Has("roi_heads.keypoint_head."))
            throw new InvalidDataException($"a {(Has("roi_heads.mask_head.") ? "Mask" : "Keypoint")} R-CNN checkpoint: not supported, only Faster R-CNN v1");
        if (!Has("roi_heads.box_predictor.") || !Has("rpn.head.") || !Has("backbone.body."))
        {
            string seen = string.Join(", ", shapes.Keys.Select(k => k.Split('.')[0]).Distinct().Take(6));
            throw new InvalidDataException($"not a torchvision Faster R-CNN state dict (no backbone.body/rpn.head/roi_heads.box_predictor; top-level keys: {seen})");
        }
        if (Has("roi_heads.box_head.0.") || Has("rpn.head.conv.1.") || Has("backbone.fpn.inner_blocks.0.1."))
            throw new InvalidDataException("a Faster R-CNN v2 checkpoint (conv box head, normalised FPN): not supported yet, only v1 (TwoMLPHead)");
        var cls = Shape(shapes, "roi_heads.box_predictor.cls_score.weight");
        var fc6 = Shape(shapes, "roi_heads.box_head.fc6.weight");
        var inner = Shape(shapes, "backbone.fpn.inner_blocks.0.0.weight");
        int fpn = inner[0];
        if (fc6[1] != fpn * 49) throw new InvalidDataException($"roi_heads.box_head.fc6 takes {fc6[1]} features, not {fpn}·7·7 (FPN width {fpn})");
        bool bottleneck = shapes.ContainsKey("backbone.body.layer1.0.conv3.weight");
        var blocks = Enumerable.Range(1, 4).Select(s => shapes.Keys.Count(k => k.StartsWith($"backbone.body.layer{s}.", StringComparison.Ordinal) && k.EndsWith(".conv1.weight", StringComparison.Ordinal))).ToArray();
        string body = $"{(bottleneck ? "Bottleneck" : "BasicBlock")} [{string.Join(", ", blocks)}]";
        bool r50 = bottleneck && body.EndsWith("[3, 4, 6, 3]") && fpn == 256 && fc6[0] == 1024 && Shape(shapes, "backbone.body.conv1.weight")[0] == 64;
        string name = r50 ? "fasterrcnn_resnet50_fpn" : "fasterrcnn (custom ResNet-FPN)";
        return new FasterRcnnArch(name, fpn, fc6[0], cls[0],
            $"{name}: ResNet {body} body, FPN {fpn}, box head {fc6[0]}, {cls[0]} classes (background included)");
    }

    static int[] Shape(IReadOnlyDictionary<string, int[]> shapes, string key) =>
        shapes.TryGetValue(key, out var s) ? s : throw new InvalidDataException($"Faster R-CNN checkpoint has no tensor '{key}'");
}
