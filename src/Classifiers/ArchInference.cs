namespace NativeCam.Classifiers;

/// <summary>
/// Which torchvision classifier a state dict is, from its keys and shapes alone: the family from its signature keys,
/// then the family's own inference (depth, block type, groups, widths, class count). A layout no family claims is a
/// one-line error naming the closest family and the keys it lacks.
/// </summary>
public static class ArchInference
{
    static readonly (ClassifierFamily Family, string[] Keys)[] Signatures =
    [
        (ClassifierFamily.ResNet, ["conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer4.0.conv1.weight", "fc.weight"]),
        (ClassifierFamily.Vgg, ["features.0.weight", "classifier.0.weight", "classifier.3.weight", "classifier.6.weight"]),
        (ClassifierFamily.DenseNet, ["features.conv0.weight", "features.norm0.weight", "features.denseblock1.denselayer1.conv1.weight", "features.norm5.weight", "classifier.weight"]),
        (ClassifierFamily.MobileNetV2, ["features.0.0.weight", "features.1.conv.0.0.weight", "features.18.0.weight", "classifier.1.weight"]),
        (ClassifierFamily.MobileNetV3, ["features.0.0.weight", "features.1.block.0.0.weight", "classifier.0.weight", "classifier.3.weight"]),
        (ClassifierFamily.ShuffleNetV2, ["conv1.0.weight", "stage2.0.branch1.0.weight", "stage4.0.branch2.0.weight", "conv5.0.weight", "fc.weight"]),
        (ClassifierFamily.SqueezeNet, ["features.0.weight", "features.3.squeeze.weight", "features.3.expand3x3.weight", "classifier.1.weight"]),
        (ClassifierFamily.AlexNet, ["features.0.weight", "features.10.weight", "classifier.1.weight", "classifier.4.weight", "classifier.6.weight"]),
        (ClassifierFamily.EfficientNet, ["features.0.0.weight", "features.0.1.running_var", "features.1.0.block.0.0.weight", "classifier.1.weight"]),
        (ClassifierFamily.ConvNeXt, ["features.0.0.weight", "features.0.1.weight", "features.1.0.block.0.weight", "features.1.0.layer_scale", "classifier.2.weight"]),
        (ClassifierFamily.InceptionV3, ["Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch1x1.conv.weight", "Mixed_7c.branch_pool.conv.weight", "fc.weight"]),
        (ClassifierFamily.GoogLeNet, ["conv1.conv.weight", "inception3a.branch1.conv.weight", "inception5b.branch4.1.conv.weight", "fc.weight"]),
    ];

    /// <summary>The architecture of a state dict given as key → shape.</summary>
    public static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var scored = Signatures.Select(s => (s.Family, s.Keys, Have: s.Keys.Count(shapes.ContainsKey))).ToList();
        var match = scored.Where(s => s.Have == s.Keys.Length).ToList();
        if (match.Count == 0)
        {
            var best = scored.OrderByDescending(s => (double)s.Have / s.Keys.Length).First();
            string missing = string.Join(", ", best.Keys.Where(k => !shapes.ContainsKey(k)).Take(3));
            throw new InvalidDataException($"not a supported classifier state dict ({string.Join(", ", Signatures.Select(s => ClassifierArch.FamilyName(s.Family)))}): " +
                $"closest is {ClassifierArch.FamilyName(best.Family)}, but it lacks {missing}");
        }
        return match[0].Family switch
        {
            ClassifierFamily.ResNet => ResNet.Infer(shapes),
            ClassifierFamily.Vgg => Vgg.Infer(shapes),
            ClassifierFamily.DenseNet => DenseNet.Infer(shapes),
            ClassifierFamily.MobileNetV2 => MobileNetV2.Infer(shapes),
            ClassifierFamily.MobileNetV3 => MobileNetV3.Infer(shapes),
            ClassifierFamily.ShuffleNetV2 => ShuffleNetV2.Infer(shapes),
            ClassifierFamily.SqueezeNet => SqueezeNet.Infer(shapes),
            ClassifierFamily.AlexNet => AlexNet.Infer(shapes),
            ClassifierFamily.EfficientNet => EfficientNet.Infer(shapes),
            ClassifierFamily.ConvNeXt => ConvNeXt.Infer(shapes),
            ClassifierFamily.InceptionV3 => InceptionV3.Infer(shapes),
            ClassifierFamily.GoogLeNet => GoogLeNet.Infer(shapes),
            var other => throw new InvalidOperationException($"no inference for family {other}"),
        };
    }

    /// <summary>Checks an inferred architecture against a requested one (a torchvision name or a family name).</summary>
    public static void Check(ClassifierArch inferred, string requested)
    {
        string name = requested.Trim().ToLowerInvariant();
        var families = Enum.GetValues<ClassifierFamily>().ToDictionary(ClassifierArch.FamilyName);
        if (families.TryGetValue(name, out var family))
        {
            if (family != inferred.Family) throw Mismatch(inferred, requested);
            return;
        }
        if (!ClassifierArch.KnownNames.ContainsKey(name))
            throw new InvalidDataException($"unknown --arch '{requested}': did you mean {ClassifierArch.Closest(name, ClassifierArch.KnownNames.Keys.Concat(families.Keys))}?");
        if (name != inferred.Name) throw Mismatch(inferred, requested);
    }

    static InvalidDataException Mismatch(ClassifierArch inferred, string requested) =>
        new($"the weights are {inferred.Name} ({inferred.Description}), not {requested}");

    /// <summary>The largest n + 1 such that <c>{prefix}{n}.{suffix}</c> is a key (0 if none): the length of a numbered module list.</summary>
    internal static int Count(IReadOnlyDictionary<string, int[]> shapes, string prefix, string suffix)
    {
        int n = 0;
        while (shapes.ContainsKey($"{prefix}{n}.{suffix}")) n++;
        return n;
    }

    /// <summary>The shape of <paramref name="key"/>, or a one-line error.</summary>
    internal static int[] Shape(IReadOnlyDictionary<string, int[]> shapes, string key) =>
        shapes.TryGetValue(key, out var s) ? s : throw new InvalidDataException($"checkpoint has no tensor '{key}'");
}
