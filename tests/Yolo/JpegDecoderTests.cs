using System.Text.Json;
using NativeCam.Imaging;
using NativeCam.Yolo;
using NativeCam.Imaging.Jpeg;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Our JPEG decoder against cv2.imread (OpenCV 4.6 on libjpeg-turbo 2.1.5), byte for byte: the YOLOv5
/// samples, the EXIF fixtures, and the small files of tests/reference/jpeg_reference.py covering sampling
/// factors, restart intervals, odd sizes, qualities and progressive files. The expected pixels are cv2's
/// decodes stored as PNG (read back exactly).
/// </summary>
public class JpegDecoderTests
{
    static string JpegFolder => Path.Combine(Fixtures.Folder, "jpeg");

    public static IEnumerable<object[]> GeneratedFiles()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(JpegFolder, "jpeg.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray()
            .Select(e => new object[] { e.GetProperty("file").GetString()!, e.GetProperty("expected").GetString()! }).ToArray();
    }

    [Theory]
    [InlineData("bus.jpg", "bus_src.png")]
    [InlineData("zidane.jpg", "zidane_src.png")]
    public void SamplesDecodeExactlyAsOpenCv(string file, string expected) =>
        AssertExact(Path.Combine(YoloFixture.RepoRoot(), "samples", file), YoloIoFixture.File(expected));

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void ExifFixturesDecodeExactlyAsOpenCv(int orientation) =>
        AssertExact(YoloIoFixture.File($"exif_{orientation}.jpg"), YoloIoFixture.File($"exif_{orientation}_jpg_cv2.png"));

    [Theory]
    [MemberData(nameof(GeneratedFiles))]
    public void GeneratedFilesDecodeExactlyAsOpenCv(string file, string expected) =>
        AssertExact(Path.Combine(JpegFolder, file), Path.Combine(JpegFolder, expected));

    public static IEnumerable<object[]> FallbackFiles()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(JpegFolder, "jpeg.json")));
        return doc.RootElement.GetProperty("fallback").EnumerateArray()
            .Select(e => new object[] { e.GetProperty("file").GetString()!, e.GetProperty("height").GetInt32(), e.GetProperty("width").GetInt32() }).ToArray();
    }

    /// <summary>Flavours we do not decode are refused by our decoder and decoded by ImageSharp instead
    /// (close to, not exactly, cv2's pixels, so only the size is checked).</summary>
    [Theory]
    [MemberData(nameof(FallbackFiles))]
    public void UnsupportedFlavoursFallBackToImageSharp(string file, int height, int width)
    {
        var path = Path.Combine(JpegFolder, file);
        Assert.Throws<JpegUnsupportedException>(() => JpegDecoder.Decode(File.ReadAllBytes(path)));
        var image = ImageLoader.Load(path);
        Assert.Equal((height, width), (image.Height, image.Width));
    }

    [Fact]
    public void TruncatedFileFailsNamingTheFile()
    {
        var bytes = File.ReadAllBytes(Path.Combine(YoloFixture.RepoRoot(), "samples", "zidane.jpg"));
        AssertOneLineFailure(bytes[..(bytes.Length / 2)], "truncated.jpg");
    }

    [Fact]
    public void GarbageAfterSoiFailsNamingTheFile()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        // Keep the garbage free of FF so that it cannot contain a marker by chance.
        for (int i = 0; i < garbage.Length; i++) if (garbage[i] == 0xFF) garbage[i] = 0x12;
        AssertOneLineFailure([0xFF, 0xD8, .. garbage], "garbage.jpg");
    }

    [Theory]
    [InlineData("q50_420_rst.jpg")]
    [InlineData("prog_420.jpg")]
    [InlineData("mixed_factors.jpg")]
    public void DamagedFilesDecodeOrFailWithTheOneLineMessage(string name)
    {
        // Overwriting a few bytes anywhere in a real file (headers, tables, scan data) must end in pixels or in
        // our one-line error, never in another exception or a hang.
        var original = File.ReadAllBytes(Path.Combine(JpegFolder, name));
        var random = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (int i = 0; i < 3; i++) bytes[random.Next(2, bytes.Length)] = (byte)random.Next(256);
            try { ImageLoader.Decode(bytes, "damaged.jpg"); }
            catch (InvalidDataException e) { Assert.StartsWith("damaged.jpg: ", e.Message); }
        }
    }

    static void AssertOneLineFailure(byte[] bytes, string name)
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(bytes, "/some/where/" + name));
        Assert.StartsWith(name + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    static void AssertExact(string jpeg, string png)
    {
        var actual = ImageLoader.Load(jpeg);
        var expected = ImageLoader.Load(png);
        Assert.Equal((expected.Height, expected.Width), (actual.Height, actual.Width));
        int differing = 0, first = -1;
        for (int i = 0; i < actual.Pixels.Length; i++)
            if (actual.Pixels[i] != expected.Pixels[i])
            {
                differing++;
                if (first < 0) first = i;
            }
        if (differing > 0)
            Assert.Fail($"{Path.GetFileName(jpeg)}: {differing} of {actual.Pixels.Length} bytes differ from cv2.imread; first at pixel " +
                $"({first / 3 / actual.Width}, {first / 3 % actual.Width}) channel {first % 3}: {actual.Pixels[first]} vs {expected.Pixels[first]}");
    }
}
