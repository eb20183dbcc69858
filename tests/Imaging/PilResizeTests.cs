using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Tests.Support;
using Xunit;

namespace NativeCam.Tests.Imaging;

/// <summary>
/// PilResize against PIL 9.4 as torchvision 0.14's Resize calls it (tests/reference/pil_resize_reference.py): every
/// value equal, bilinear and bicubic, shrinking and enlarging, the published transforms of EfficientNet (bicubic) and
/// ResNet (bilinear) on the sample images.
/// </summary>
public class PilResizeTests
{
    static readonly string Folder = Path.Combine(Yolo.YoloFixture.RepoRoot(), "tests", "fixtures", "resize");

    static RgbImage Sample(string name) => ImageLoader.Load(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", name + ".jpg"));

    [Theory]
    [InlineData("bus", Interpolation.Bicubic, 256, 224)]
    [InlineData("zidane", Interpolation.Bicubic, 320, 300)]
    [InlineData("zidane", Interpolation.Bilinear, 256, 224)]
    public void The_published_transform_equals_torchvision_exactly(string image, Interpolation filter, int resize, int crop)
    {
        var (picture, _) = new ClassifierTransform(resize, crop, Interpolation: filter).Apply(Sample(image));
        var expected = U8Npy.ReadRgb(Path.Combine(Folder, $"{image}_{filter.ToString().ToLowerInvariant()}_{resize}_{crop}_u8.npy"), crop, crop);
        Assert.Equal(expected, picture.Pixels);
    }

    [Theory]
    [InlineData(Interpolation.Bilinear, 97, 31)]
    [InlineData(Interpolation.Bilinear, 13, 150)]
    [InlineData(Interpolation.Bilinear, 40, 60)]
    [InlineData(Interpolation.Bicubic, 97, 31)]
    [InlineData(Interpolation.Bicubic, 13, 150)]
    [InlineData(Interpolation.Bicubic, 40, 60)]
    public void A_patch_resized_either_way_equals_PIL_exactly(Interpolation filter, int height, int width)
    {
        var bus = Sample("bus");
        var pixels = new byte[40 * 60 * 3]; // rows 400..439, columns 300..359, as the reference's crop
        for (int y = 0; y < 40; y++) Array.Copy(bus.Pixels, ((400 + y) * bus.Width + 300) * 3, pixels, y * 60 * 3, 60 * 3);
        var resized = PilResize.Resize(new RgbImage(40, 60, pixels), height, width, filter);
        var expected = U8Npy.ReadRgb(Path.Combine(Folder, $"patch_{filter.ToString().ToLowerInvariant()}_{height}x{width}_u8.npy"), height, width);
        Assert.Equal(expected, resized.Pixels);
    }

    [Fact]
    public void EfficientNet_published_weights_resize_bicubically_and_others_bilinearly()
    {
        var b0 = ClassifierInput.Transform(new ClassifierArch(ClassifierFamily.EfficientNet, "efficientnet_b0", 1000, ""));
        var b1 = ClassifierInput.Transform(new ClassifierArch(ClassifierFamily.EfficientNet, "efficientnet_b1", 1000, ""));
        var r50 = ClassifierInput.Transform(new ClassifierArch(ClassifierFamily.ResNet, "resnet50", 1000, ""));
        Assert.Equal((256, 224, Interpolation.Bicubic), (b0.Resize, b0.Crop, b0.Interpolation));
        Assert.Equal((255, 240, Interpolation.Bilinear), (b1.Resize, b1.Crop, b1.Interpolation));
        Assert.Equal((256, 224, Interpolation.Bilinear), (r50.Resize, r50.Crop, r50.Interpolation));
    }
}
