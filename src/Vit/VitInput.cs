namespace NativeCam.Vit;

/// <summary>
/// How a ViT's weights expect their input image to be prepared (docs/vit.md): torchvision's ImageNet transform
/// (shorter side to S·256/224, centre crop S) or Hugging Face's ViTImageProcessor (the whole image resized to S×S, no
/// crop); both PIL-bilinear, scaled to [0, 1], then (x − mean) / std per channel.
/// </summary>
public sealed record VitInput(bool CenterCrop, float[] Mean, float[] Std)
{
    /// <summary>torchvision's <c>ViT_B_16_Weights.IMAGENET1K_V1.transforms()</c>: resize S·256/224, crop S, ImageNet mean/std.</summary>
    public static VitInput Torchvision { get; } = new(true, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>ViTImageProcessor's defaults (google/vit-base-patch16-224): resize to S×S, mean = std = 0.5.</summary>
    public static VitInput HuggingFace { get; } = new(false, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);

    /// <summary>The transform in words, for reports and help.</summary>
    public string Describe(int size) => CenterCrop
        ? $"resize {size * 256 / 224}, centre crop {size}, mean ({Format(Mean)}), std ({Format(Std)})"
        : $"resize to {size}x{size}, mean ({Format(Mean)}), std ({Format(Std)})";

    static string Format(float[] v) => string.Join(", ", v.Select(x => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
}
