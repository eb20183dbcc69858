namespace NativeCam.Vit;

/// <summary>Class names for a ViT head: torchvision's ImageNet-1k categories (ImageNetClasses.txt, embedded) for
/// 1000 classes, <c>class{i}</c> for any other count.</summary>
public static class ImageNetClasses
{
    static readonly Lazy<string[]> _imageNet = new(() =>
    {
        using var stream = typeof(ImageNetClasses).Assembly.GetManifestResourceStream("NativeCam.Vit.ImageNetClasses.txt")
            ?? throw new InvalidOperationException("ImageNetClasses.txt is not embedded in NativeCam.Vit");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    });

    /// <summary>The 1000 ImageNet-1k names in class-id order ("tench", "goldfish", ...).</summary>
    public static IReadOnlyList<string> ImageNet => _imageNet.Value;

    /// <summary>Names for a head with <paramref name="classes"/> outputs.</summary>
    public static IReadOnlyList<string> For(int classes) =>
        classes == ImageNet.Count ? ImageNet : Enumerable.Range(0, classes).Select(i => $"class{i}").ToArray();
}
