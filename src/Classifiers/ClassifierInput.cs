using NativeCam.Imaging;

namespace NativeCam.Classifiers;

/// <summary>
/// The torchvision evaluation transform's sizes a model's pretrained weights were published with (the DEFAULT weights'
/// transforms in torchvision 0.14): Resize(342) and CenterCrop(299) for Inception v3, EfficientNet b0…b7 and ConvNeXt
/// each their own (EfficientNet b0, b2…b7 resized bicubically), Resize(256) and CenterCrop(224) bilinear for every other
/// model and for custom layouts.
/// </summary>
public static class ClassifierInput
{
    // torchvision.models.*_Weights.DEFAULT's ImageClassification(resize_size, crop_size), by builder name
    static readonly Dictionary<string, (int Resize, int Crop)> Published = new(StringComparer.Ordinal)
    {
        ["inception_v3"] = (342, 299),
        ["efficientnet_b0"] = (256, 224), ["efficientnet_b1"] = (255, 240), ["efficientnet_b2"] = (288, 288),
        ["efficientnet_b3"] = (320, 300), ["efficientnet_b4"] = (384, 380), ["efficientnet_b5"] = (456, 456),
        ["efficientnet_b6"] = (528, 528), ["efficientnet_b7"] = (600, 600),
        ["convnext_tiny"] = (236, 224), ["convnext_small"] = (230, 224), ["convnext_base"] = (232, 224), ["convnext_large"] = (232, 224),
    };

    /// <summary>The shorter side after resizing and the centre crop for <paramref name="family"/> (its standard
    /// model's: Inception v3 342/299, every other family 256/224).</summary>
    public static (int Resize, int Crop) Sizes(ClassifierFamily family) => family == ClassifierFamily.InceptionV3 ? (342, 299) : (256, 224);

    /// <summary>The shorter side after resizing and the centre crop for the model <paramref name="arch"/> was inferred
    /// as: its published weights' sizes for a torchvision name that has its own (efficientnet_b3: 320/300), else its
    /// family's.</summary>
    public static (int Resize, int Crop) Sizes(ClassifierArch arch) =>
        Published.TryGetValue(arch.Name, out var sizes) ? sizes : Sizes(arch.Family);

    // the DEFAULT weights' interpolation where it is not bilinear: EfficientNet's IMAGENET1K_V1 (b1's default is V2, bilinear)
    static readonly HashSet<string> Bicubic = new(StringComparer.Ordinal)
    {
        "efficientnet_b0", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
    };

    /// <summary>The resampling filter of the published weights' Resize for the model <paramref name="arch"/> was inferred
    /// as: bicubic for EfficientNet b0 and b2…b7, bilinear for every other model and custom layouts.</summary>
    public static Interpolation Interpolation(ClassifierArch arch) =>
        Bicubic.Contains(arch.Name) ? Imaging.Interpolation.Bicubic : Imaging.Interpolation.Bilinear;

    /// <summary>The published evaluation transform for <paramref name="arch"/> (sizes and interpolation), ImageNet's
    /// mean and std.</summary>
    public static ClassifierTransform Transform(ClassifierArch arch)
    {
        var (resize, crop) = Sizes(arch);
        return new ClassifierTransform(resize, crop, Interpolation: Interpolation(arch));
    }

    /// <summary>Sets <paramref name="model"/>'s transform_input (Inception v3, GoogLeNet); null keeps the default (on).</summary>
    /// <exception cref="ArgumentException">A value is given for a model without transform_input.</exception>
    public static void SetTransformInput(ClassifierModel model, bool? value)
    {
        if (value is not bool on) return;
        if (model is not ITransformInput t)
            throw new ArgumentException($"transform_input applies to inception_v3 and googlenet only, not {model.Arch.Name}");
        t.TransformInput = on;
    }
}
