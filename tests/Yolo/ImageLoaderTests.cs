using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>Decoding and EXIF orientation against what cv2.imread (OpenCV 4.6) returned for the same files.</summary>
public class ImageLoaderTests
{
    public static IEnumerable<object[]> ExifFiles => YoloIoFixture.Keys("exif", "file");
    public static IEnumerable<object[]> DecodeFiles => YoloIoFixture.Keys("decode", "file");

    // JPEG pixels come from our decoder, which reproduces libjpeg-turbo's bit for bit (JpegDecoderTests), so
    // the oriented image must equal cv2.imread's to the byte, JPEG or PNG alike; a wrong size fails the shape check.
    [Theory]
    [MemberData(nameof(ExifFiles))]
    public void ExifOrientationMatchesOpenCv(string file)
    {
        var entry = YoloIoFixture.Entry("exif", "file", file);
        var actual = ImageLoader.Load(YoloIoFixture.File(file));
        var expected = ImageLoader.Load(YoloIoFixture.File(entry.Str("expected")!)); // a PNG: exact pixels
        Assert.Equal((expected.Height, expected.Width), (actual.Height, actual.Width));
        int worst = MaxAbsDifference(actual.Pixels, expected.Pixels);
        Assert.True(worst == 0, $"{file} (orientation {entry.Int("orientation")}): max pixel difference {worst}, expected exact");
    }

    [Theory]
    [MemberData(nameof(DecodeFiles))]
    public void DecodesLikeOpenCv(string file)
    {
        var entry = YoloIoFixture.Entry("decode", "file", file);
        var image = ImageLoader.Load(YoloIoFixture.File(file));
        var (data, shape) = Npy.Read(YoloIoFixture.File(entry.Str("expected")!));
        Assert.Equal(shape, new[] { image.Height, image.Width, 3 });
        for (int i = 0; i < data.Length; i++)
            if (image.Pixels[i] != (byte)data[i])
                Assert.Fail($"{file}: byte {i} (pixel {i / 3 / image.Width}, {i / 3 % image.Width}) is {image.Pixels[i]}, cv2.imread has {data[i]}");
    }

    [Fact]
    public void TextFileNamedJpgFailsNamingTheFile()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(YoloIoFixture.File("not_image.jpg")));
        Assert.Contains("not_image.jpg", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void EmptyFileFailsNamingTheFile()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Decode([], "/somewhere/empty.png"));
        Assert.StartsWith("empty.png:", e.Message);
    }

    [Theory]
    [InlineData(1, "abcdef")]
    [InlineData(2, "badcfe")]
    [InlineData(3, "fedcba")]
    [InlineData(4, "efcdab")]
    [InlineData(5, "acebdf")]
    [InlineData(6, "ecafdb")]
    [InlineData(7, "fdbeca")]
    [InlineData(8, "bdface")]
    public void OrientationMovesPixelsAsOpenCv(int orientation, string expected)
    {
        // A 3x2 image whose pixels are the letters a..f (row-major); the expected layouts are cv2.flip /
        // cv2.transpose combinations of OpenCV's ExifTransform, read row-major.
        var pixels = "abcdef".SelectMany(ch => new[] { (byte)ch, (byte)0, (byte)0 }).ToArray();
        var turned = ExifOrientation.Apply(new RgbImage(3, 2, pixels), orientation);
        var letters = new string(Enumerable.Range(0, 6).Select(i => (char)turned.Pixels[3 * i]).ToArray());
        Assert.Equal(expected, letters);
        Assert.Equal(orientation >= 5 ? (2, 3) : (3, 2), (turned.Height, turned.Width));
    }

    internal static int MaxAbsDifference(byte[] a, byte[] b)
    {
        int worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }
}
