using System.Text;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Inception v3's transform (Resize(342) with PIL's antialiased bilinear, CenterCrop(299)) against torchvision 0.14 on
/// PIL 9.4 (tests/reference/classifiers_inception_reference.py: the uint8 crop, which ToTensor/Normalize scale exactly):
/// at least 99.9 % of the values within one grey level, none further than two.
/// </summary>
public class InceptionPreprocessTests
{
    // A C-ordered uint8 .npy: magic, version, little-endian header length (v1: 2 bytes), the header, the bytes.
    static byte[] ReadU8(string path, out string header)
    {
        var bytes = File.ReadAllBytes(path);
        int length = bytes[8] | bytes[9] << 8;
        header = Encoding.ASCII.GetString(bytes, 10, length);
        return bytes[(10 + length)..];
    }

    [Fact]
    public void Crop_equals_torchvision_within_one_grey_level()
    {
        var (resize, crop) = ClassifierInput.Sizes(ClassifierFamily.InceptionV3);
        var image = ImageLoader.Load(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg"));
        var (picture, input) = new ClassifierTransform(resize, crop).Apply(image);
        var expected = ReadU8(Path.Combine(ClassifierFixture.Folder, "bus_342_299_u8.npy"), out string header);
        Assert.Contains("'descr': '|u1'", header);
        Assert.Contains("'shape': (299, 299, 3)", header);
        Assert.Equal((299, 299), (picture.Height, picture.Width));
        Assert.Equal(expected.Length, picture.Pixels.Length);
        int within = 0, exact = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(picture.Pixels[i] - expected[i]);
            worst = Math.Max(worst, d);
            if (d <= 1) within++;
            if (d == 0) exact++;
        }
        double share = (double)within / expected.Length;
        Console.WriteLine($"preprocess bus 342/299: {share:P4} within one grey level, {(double)exact / expected.Length:P4} equal, worst {worst}");
        Assert.True(share >= 0.999, $"{share:P4} of values within one grey level");
        Assert.True(worst <= 2, $"worst difference {worst} grey levels");
        // The input is the crop through ToTensor and Normalize (channel-first), as torchvision's.
        int n = 299 * 299;
        for (int c = 0; c < 3; c++)
            Assert.Equal((picture.Pixels[3 * 1234 + c] / 255f - ClassifierTransform.ImageNetMean[c]) / ClassifierTransform.ImageNetStd[c], input[c * n + 1234]);
    }
}
