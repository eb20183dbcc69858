namespace NativeCam.Classifiers;

/// <summary>
/// What the keys and shapes of a state dict say a classifier is: its family, the torchvision name it matches
/// (<c>resnet50</c>, <c>vgg16_bn</c>, …, or <c>resnet (custom)</c> for a layout no torchvision builder makes), its
/// class count and a short description of the inferred configuration (depth, block, groups, widths).
/// </summary>
public sealed record ClassifierArch(ClassifierFamily Family, string Name, int Classes, string Description)
{
    /// <summary>Every torchvision builder name <c>--arch</c> accepts, by family.</summary>
    public static readonly IReadOnlyDictionary<string, ClassifierFamily> KnownNames = new Dictionary<string, ClassifierFamily>
    {
        ["resnet18"] = ClassifierFamily.ResNet, ["resnet34"] = ClassifierFamily.ResNet, ["resnet50"] = ClassifierFamily.ResNet,
        ["resnet101"] = ClassifierFamily.ResNet, ["resnet152"] = ClassifierFamily.ResNet,
        ["resnext50_32x4d"] = ClassifierFamily.ResNet, ["resnext101_32x8d"] = ClassifierFamily.ResNet,
        ["resnext101_64x4d"] = ClassifierFamily.ResNet, ["wide_resnet50_2"] = ClassifierFamily.ResNet,
        ["wide_resnet101_2"] = ClassifierFamily.ResNet,
        ["vgg11"] = ClassifierFamily.Vgg, ["vgg13"] = ClassifierFamily.Vgg, ["vgg16"] = ClassifierFamily.Vgg, ["vgg19"] = ClassifierFamily.Vgg,
        ["vgg11_bn"] = ClassifierFamily.Vgg, ["vgg13_bn"] = ClassifierFamily.Vgg, ["vgg16_bn"] = ClassifierFamily.Vgg, ["vgg19_bn"] = ClassifierFamily.Vgg,
        ["densenet121"] = ClassifierFamily.DenseNet, ["densenet161"] = ClassifierFamily.DenseNet,
        ["densenet169"] = ClassifierFamily.DenseNet, ["densenet201"] = ClassifierFamily.DenseNet,
        ["mobilenet_v2"] = ClassifierFamily.MobileNetV2,
        ["mobilenet_v3_small"] = ClassifierFamily.MobileNetV3, ["mobilenet_v3_large"] = ClassifierFamily.MobileNetV3,
        ["shufflenet_v2_x0_5"] = ClassifierFamily.ShuffleNetV2, ["shufflenet_v2_x1_0"] = ClassifierFamily.ShuffleNetV2,
        ["shufflenet_v2_x1_5"] = ClassifierFamily.ShuffleNetV2, ["shufflenet_v2_x2_0"] = ClassifierFamily.ShuffleNetV2,
        ["squeezenet1_0"] = ClassifierFamily.SqueezeNet, ["squeezenet1_1"] = ClassifierFamily.SqueezeNet,
        ["alexnet"] = ClassifierFamily.AlexNet,
        ["efficientnet_b0"] = ClassifierFamily.EfficientNet, ["efficientnet_b1"] = ClassifierFamily.EfficientNet,
        ["efficientnet_b2"] = ClassifierFamily.EfficientNet, ["efficientnet_b3"] = ClassifierFamily.EfficientNet,
        ["efficientnet_b4"] = ClassifierFamily.EfficientNet, ["efficientnet_b5"] = ClassifierFamily.EfficientNet,
        ["efficientnet_b6"] = ClassifierFamily.EfficientNet, ["efficientnet_b7"] = ClassifierFamily.EfficientNet,
        ["convnext_tiny"] = ClassifierFamily.ConvNeXt, ["convnext_small"] = ClassifierFamily.ConvNeXt,
        ["convnext_base"] = ClassifierFamily.ConvNeXt, ["convnext_large"] = ClassifierFamily.ConvNeXt,
        ["inception_v3"] = ClassifierFamily.InceptionV3, ["googlenet"] = ClassifierFamily.GoogLeNet,
    };

    /// <summary>The family's own name (<c>resnet</c>, <c>vgg</c>, <c>densenet</c>, <c>mobilenet_v2</c>, <c>mobilenet_v3</c>, …), also accepted by <c>--arch</c>.</summary>
    public static string FamilyName(ClassifierFamily family) => family switch
    {
        ClassifierFamily.ResNet => "resnet",
        ClassifierFamily.Vgg => "vgg",
        ClassifierFamily.DenseNet => "densenet",
        ClassifierFamily.MobileNetV2 => "mobilenet_v2",
        ClassifierFamily.MobileNetV3 => "mobilenet_v3",
        ClassifierFamily.ShuffleNetV2 => "shufflenet_v2",
        ClassifierFamily.SqueezeNet => "squeezenet",
        ClassifierFamily.AlexNet => "alexnet",
        ClassifierFamily.EfficientNet => "efficientnet",
        ClassifierFamily.ConvNeXt => "convnext",
        ClassifierFamily.InceptionV3 => "inception_v3",
        ClassifierFamily.GoogLeNet => "googlenet",
        var other => throw new InvalidOperationException($"no name for family {other}"),
    };

    /// <summary>The known name closest to <paramref name="name"/> (edit distance), for "did you mean" errors.</summary>
    public static string Closest(string name, IEnumerable<string>? candidates = null) =>
        (candidates ?? KnownNames.Keys).OrderBy(k => Distance(name.ToLowerInvariant(), k)).ThenBy(k => k, StringComparer.Ordinal).First();

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
