namespace NativeCam.Detectors;

/// <summary>
/// A torchvision RetinaNet (v1: ResNet body, FPN over C3–C5 with LastLevelP6P7, head without normalisation) read from
/// its state dict: the FPN width, the class count (one sigmoid per class, torchvision's num_classes), the anchors
/// per location and whether P6 is computed from P5 (v1) or C5. v2's GroupNorm head and FCOS are refused in one line.
/// </summary>
public sealed record RetinaNetArch(string Name, int FpnChannels, int Classes, int Anchors, string Description)
{
    /// <summary>Anchors per location of torchvision's RetinaNet anchor generator: 3 sizes × 3 ratios.</summary>
    public const int AnchorsPerLocation = 9;

    /// <summary>Whether canonical key shapes are a RetinaNet's (its <c>head.classification_head</c>), FCOS excluded.</summary>
    public static bool IsRetinaNet(IReadOnlyDictionary<string, int[]> shapes) =>
        shapes.Keys.Any(k => k.StartsWith("head.classification_head.", StringComparison.Ordinal))
        && !shapes.Keys.Any(k => k.StartsWith("head.regression_head.bbox_ctrness", StringComparison.Ordinal));

    /// <summary>Infers the architecture from canonical key shapes (<see cref="RetinaNetCheckpoint.Canonical"/>).</summary>
    public static RetinaNetArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        bool Has(string prefix) => shapes.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        if (Has("head.regression_head.bbox_ctrness")) throw new InvalidDataException("an FCOS checkpoint (head.regression_head.bbox_ctrness): not supported yet, only RetinaNet v1 and Faster R-CNN v1");
        if (!IsRetinaNet(shapes) || !Has("backbone.body.") || !Has("backbone.fpn."))
        {
            string seen = string.Join(", ", shapes.Keys.Select(k => k.Split('.')[0]).Distinct().Take(6));
            throw new InvalidDataException($"not a torchvision RetinaNet state dict (no backbone.body/backbone.fpn/head.classification_head; top-level keys: {seen})");
        }
        if (Has("head.classification_head.conv.0.1."))
            throw new InvalidDataException("a RetinaNet v2 checkpoint (GroupNorm head: head.classification_head.conv.0.1.weight): not supported yet, only v1");
        var cls = Shape(shapes, "head.classification_head.cls_logits.weight");
        var reg = Shape(shapes, "head.regression_head.bbox_reg.weight");
        int fpn = Shape(shapes, "backbone.fpn.inner_blocks.0.0.weight")[0];
        int levels = Enumerable.Range(0, 8).Count(i => shapes.ContainsKey($"backbone.fpn.inner_blocks.{i}.0.weight"));
        if (levels != 3) throw new InvalidDataException($"RetinaNet FPN has {levels} inner blocks, not 3 (C3–C5, returned_layers [2, 3, 4])");
        if (reg[0] != AnchorsPerLocation * 4)
            throw new InvalidDataException($"head.regression_head.bbox_reg has {reg[0]} outputs, not {AnchorsPerLocation} anchors × 4 (only torchvision's default anchors are supported)");
        if (cls[0] % AnchorsPerLocation != 0)
            throw new InvalidDataException($"head.classification_head.cls_logits has {cls[0]} outputs, not a multiple of {AnchorsPerLocation} anchors");
        Shape(shapes, "backbone.fpn.extra_blocks.p6.weight");
        int classes = cls[0] / AnchorsPerLocation;
        bool bottleneck = shapes.ContainsKey("backbone.body.layer1.0.conv3.weight");
        var blocks = Enumerable.Range(1, 4).Select(s => shapes.Keys.Count(k => k.StartsWith($"backbone.body.layer{s}.", StringComparison.Ordinal) && k.EndsWith(".conv1.weight", StringComparison.Ordinal))).ToArray();
        string body = $"{(bottleneck ? "Bottleneck" : "BasicBlock")} [{string.Join(", ", blocks)}]";
        bool r50 = bottleneck && body.EndsWith("[3, 4, 6, 3]") && fpn == 256 && Shape(shapes, "backbone.body.conv1.weight")[0] == 64;
        string name = r50 ? "retinanet_resnet50_fpn" : "retinanet (custom ResNet-FPN)";
        return new RetinaNetArch(name, fpn, classes, AnchorsPerLocation, $"{name}: ResNet {body} body, FPN {fpn} (P3–P7), {classes} classes");
    }

    static int[] Shape(IReadOnlyDictionary<string, int[]> shapes, string key) =>
        shapes.TryGetValue(key, out var s) ? s : throw new InvalidDataException($"RetinaNet checkpoint has no tensor '{key}'");
}
