namespace NativeCam.Imaging;

/// <summary>
/// torchvision's ImageNet evaluation transform, on the host: <c>Resize(resize)</c> (the shorter side to
/// <see cref="Resize"/>, the longer int(resize · long / short), PIL's <see cref="Interpolation"/> with antialiasing:
/// bilinear unless the model's published weights say bicubic), <c>CenterCrop(size)</c>,
/// <c>ToTensor()</c>, <c>Normalize(mean, std)</c>. Without a crop the resized image is the input; without a resize
/// the image is cropped (or used) as decoded. Shared by every classifier family (ViT, the torchvision CNNs).
/// </summary>
public sealed record ClassifierTransform(int? Resize = 256, int? Crop = 224, float[]? Mean = null, float[]? Std = null,
    Interpolation Interpolation = Interpolation.Bilinear)
{
    /// <summary>ImageNet's channel means, torchvision's default.</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's channel standard deviations, torchvision's default.</summary>
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>The picture the network sees (resized and cropped, what a heat map is drawn on) and the input
    /// [1, 3, H, W] as a flat NCHW array.</summary>
    public (RgbImage Picture, float[] Input) Apply(RgbImage image)
    {
        var mean = Mean ?? ImageNetMean;
        var std = Std ?? ImageNetStd;
        if (mean.Length != 3 || std.Length != 3 || std.Any(s => !(s > 0)))
            throw new ArgumentException("preprocess: mean and std need 3 values each, std positive");
        var resized = Resize is int r ? ResizeShorter(image, r, Interpolation) : image;
        var picture = Crop is int c ? CenterCrop(resized, c) : resized;
        int h = picture.Height, w = picture.Width, n = h * w;
        var input = new float[3 * n];
        for (int ch = 0; ch < 3; ch++)
            for (int i = 0; i < n; i++)
                input[ch * n + i] = (picture.Pixels[i * 3 + ch] / 255f - mean[ch]) / std[ch];
        return (picture, input);
    }

    /// <summary>torchvision's Resize(size) of a PIL image: the shorter side becomes <paramref name="size"/>, the longer int(size · long / short).</summary>
    public static RgbImage ResizeShorter(RgbImage image, int size, Interpolation filter = Interpolation.Bilinear)
    {
        if (size <= 0) throw new ArgumentException($"preprocess: resize {size} is not positive");
        bool wide = image.Width >= image.Height;
        int shortIn = wide ? image.Height : image.Width, longIn = wide ? image.Width : image.Height;
        int longOut = (int)((double)size * longIn / shortIn);
        return PilResize.Resize(image, wide ? size : longOut, wide ? longOut : size, filter);
    }

    /// <summary>torchvision's center_crop: top = int(round((h − S) / 2)) (round half to even), likewise left.</summary>
    public static RgbImage CenterCrop(RgbImage image, int size)
    {
        if (size <= 0) throw new ArgumentException($"preprocess: crop {size} is not positive");
        int h = image.Height, w = image.Width;
        if (h < size || w < size) throw new ArgumentException($"preprocess: the {h}x{w} image is smaller than the {size}x{size} crop");
        int top = (int)Math.Round((h - size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((w - size) / 2.0, MidpointRounding.ToEven);
        var pixels = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            Array.Copy(image.Pixels, ((top + y) * w + left) * 3, pixels, y * size * 3, size * 3);
        return new RgbImage(size, size, pixels);
    }
}
