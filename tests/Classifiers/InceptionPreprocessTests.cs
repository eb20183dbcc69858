using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Tests.Support;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Inception v3's transform (Resize(342) with PIL's antialiased bilinear, CenterCrop(299)) against torchvision 0.14 on
/// PIL 9.4 (tests/reference/classifiers_inception_reference.py: the uint8 crop, which ToTensor/Normalize scale exactly):
/// every value equal.
/// </summary>
public class InceptionPreprocessTests
{
    [Fact]
    public void Crop_equals_torchvision()
    {
        var (resize, crop) = ClassifierInput.Sizes(ClassifierFamily.InceptionV3);
        var image = ImageLoader.Load(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg"));
        var (picture, input) = new ClassifierTransform(resize, crop).Apply(image);
        var expected = U8Npy.ReadRgb(Path.Combine(ClassifierFixture.Folder, "bus_342_299_u8.npy"), 299, 299);
        Assert.Equal((299, 299), (picture.Height, picture.Width));
        Assert.Equal(expected, picture.Pixels); // PIL's resample, bit for bit (PilResizeTests)
        // The input is the crop through ToTensor and Normalize (channel-first), as torchvision's.
        int n = 299 * 299;
        for (int c = 0; c < 3; c++)
            Assert.Equal((picture.Pixels[3 * 1234 + c] / 255f - ClassifierTransform.ImageNetMean[c]) / ClassifierTransform.ImageNetStd[c], input[c * n + 1234]);
    }
}
