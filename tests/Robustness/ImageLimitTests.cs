using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>Decompression bombs: a few bytes that declare billions of pixels are refused before pixel memory is taken.</summary>
public class ImageLimitTests
{
    /// <summary>A PNG of <paramref name="width"/> × <paramref name="height"/> 1-bit grey pixels, all zero: a few KB for 50000².</summary>
    public static byte[] BombPng(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1; // bit depth 1, colour type 0 (grey)
        Chunk(png, "IHDR", header);
        using var packed = new MemoryStream();
        using (var z = new ZLibStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8]; // filter byte + bits
            for (int y = 0; y < Math.Min(height, 64); y++) z.Write(row); // a start is enough: the header is what counts
        }
        Chunk(png, "IDAT", packed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        s.Write(word);
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A JPEG whose frame header declares <paramref name="width"/> × <paramref name="height"/> (no scan data).</summary>
    public static byte[] BombJpeg(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xC0, 0, 11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0,
        0xFF, 0xD9,
    ];

    [Fact]
    public void APngBombIsRefusedFromItsHeader()
    {
        var bomb = BombPng(50_000, 50_000);
        Assert.True(bomb.Length < 20_000);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(bomb, "bomb.png"));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "no pixel memory may be taken");
        Assert.Equal("bomb.png: 50000x50000 is 2,500,000,000 pixels, over the limit of 178,956,970 (--max-pixels raises it)", e.Message);
    }

    [Fact]
    public void AJpegBombIsRefusedFromItsFrameHeader()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(BombJpeg(65_535, 65_535), "bomb.jpg"));
        Assert.Contains("65535x65535 is 4,294,836,225 pixels, over the limit", e.Message);
        Assert.StartsWith("bomb.jpg: ", e.Message);
    }

    [Fact]
    public void TheLimitIsTheCallersAndExactlyAtItAnImageDecodes()
    {
        var png = BombPng(64, 48);
        Assert.Equal((48, 64), (ImageLoader.Decode(png, "small.png", maxPixels: 64 * 48).Height, 64));
        Assert.Contains("over the limit of 3,071", Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(png, "small.png", maxPixels: 64 * 48 - 1)).Message);
        var bus = File.ReadAllBytes(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg"));
        Assert.Contains("810x1080", Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(bus, "bus.jpg", maxPixels: 810 * 1080 - 1)).Message);
        Assert.Equal(1080, ImageLoader.Decode(bus, "bus.jpg", maxPixels: 810 * 1080).Height);
    }

    /// <summary>A frame-count bomb: each frame is under the pixel limit, but ImageSharp's default decoders decode every frame
    /// of a GIF or TIFF before the format could be refused (the image fuzz target found such a file as a hang: 200
    /// frames of 2040² took 53 s and 3.3 GB). Other formats are now named from their first bytes and never decoded.</summary>
    [Theory]
    [InlineData("gif", "GIF")]
    [InlineData("tiff", "TIFF")]
    [InlineData("webp", "Webp")]
    public void MultiFrameImagesOfOtherFormatsAreRefusedWithoutDecodingAFrame(string extension, string formatName)
    {
        byte[] encoded;
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(400, 400))
        {
            for (int f = 1; f < 4; f++)
                image.Frames.AddFrame(new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(400, 400).Frames.RootFrame);
            using var stream = new MemoryStream();
            var format = SixLabors.ImageSharp.Configuration.Default.ImageFormatsManager.FindFormatByFileExtension(extension)!;
            image.Save(stream, SixLabors.ImageSharp.Configuration.Default.ImageFormatsManager.FindEncoder(format)!);
            encoded = stream.ToArray();
        }
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Decode(encoded, "frames." + extension));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal($"frames.{extension}: {formatName} images are not supported (JPEG, PNG or BMP only)", e.Message);
        Assert.True(allocated < 480_000, $"{allocated:N0} bytes allocated: one 400² RGB frame is 480,000");
    }
}
