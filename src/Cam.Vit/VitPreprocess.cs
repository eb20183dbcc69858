using NativeCam.Imaging;
using NativeCam.Vit;

namespace NativeCam.Cam.Vit;

/// <summary>
/// torchvision's ImageNet classification transform for ViTs (<c>ViT_B_16_Weights.IMAGENET1K_V1.transforms()</c>),
/// on the host (docs/vit.md): resize the shorter side to S·256/224 (bilinear with PIL's antialiasing, uint8 result),
/// centre crop S×S (S = the model's image size), scale to [0, 1], normalise with the ImageNet mean and std. The
/// arithmetic is the family-free <see cref="ClassifierTransform"/>'s. Hugging Face weights ask for their
/// ViTImageProcessor instead (<see cref="VitInput.HuggingFace"/>): the whole image resized to S×S, no crop, mean and
/// std 0.5 (or what their preprocessor_config.json says).
/// </summary>
public static class VitPreprocess
{
    public static readonly float[] Mean = ClassifierTransform.ImageNetMean;
    public static readonly float[] Std = ClassifierTransform.ImageNetStd;

    /// <summary>The resize size for crop size S: 256 for 224 (integer division, S·256/224).</summary>
    public static int ResizeSize(int crop) => crop * 256 / 224;

    /// <summary>The centre crop of the resized image (what the heat map is drawn on) and the network input
    /// [1, 3, S, S] as a flat NCHW array.</summary>
    public static (RgbImage Crop, float[] Input) Apply(RgbImage image, int crop) => Apply(image, crop, VitInput.Torchvision);

    /// <summary>The picture the network sees (the crop, or the whole image resized to S×S) and the input
    /// [1, 3, S, S] as a flat NCHW array, prepared as <paramref name="input"/> says.</summary>
    public static (RgbImage Crop, float[] Input) Apply(RgbImage image, int size, VitInput input)
    {
        if (size <= 0) throw new ArgumentException($"ViT preprocess: crop size {size} is not positive");
        try
        {
            if (input.CenterCrop) return new ClassifierTransform(ResizeSize(size), size, input.Mean, input.Std).Apply(image);
            // ViTImageProcessor: PIL resize to (S, S), bilinear; then rescale and normalise.
            return new ClassifierTransform(null, null, input.Mean, input.Std).Apply(PilResize.Bilinear(image, size, size));
        }
        catch (ArgumentException e) { throw new ArgumentException($"ViT {e.Message}", e); }
    }

    /// <summary>PIL's bilinear resample of an RGB image (<see cref="PilResize.Bilinear"/>).</summary>
    public static RgbImage Resize(RgbImage image, int height, int width) => PilResize.Bilinear(image, height, width);
}
