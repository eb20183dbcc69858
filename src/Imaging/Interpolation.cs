namespace NativeCam.Imaging;

/// <summary>How an image is resampled when it is resized (PIL's filters, <see cref="PilResize"/>): torchvision's
/// published weights name one in their evaluation transform (most bilinear, EfficientNet's bicubic).</summary>
public enum Interpolation
{
    /// <summary>PIL's BILINEAR: the triangle filter, support 1 (widened when shrinking).</summary>
    Bilinear,

    /// <summary>PIL's BICUBIC: Keys' cubic with a = −0.5, support 2 (widened when shrinking).</summary>
    Bicubic,
}
