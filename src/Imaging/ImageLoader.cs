using NativeCam.Imaging.Jpeg;
using JpegDecoder = NativeCam.Imaging.Jpeg.JpegDecoder;
using System.Runtime.InteropServices;
using NativeCam.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace NativeCam.Imaging;

/// <summary>
/// Reads JPEG, PNG and BMP files into <see cref="RgbImage"/> the way YOLOv5's cv2.imread(path) sees them:
/// the bytes decide the format (never the extension), grey and palette images become RGB, alpha is dropped
/// (not blended), and the EXIF orientation is applied where OpenCV 4.x applies it: JPEG (APP1 Exif) and
/// PNG (eXIf chunk); BMP carries none. JPEGs go through our own <see cref="Jpeg.JpegDecoder"/>, which reproduces
/// libjpeg-turbo's pixels exactly; the JPEG flavours it leaves alone (arithmetic coding, 12-bit, lossless,
/// CMYK, Motion-JPEG without tables) and PNG/BMP are ImageSharp's (PNG and BMP pixels are exact).
/// </summary>
public static class ImageLoader
{
    /// <summary>
    /// The largest image decoded by default, in pixels: PIL's decompression-bomb limit (2 × its MAX_IMAGE_PIXELS),
    /// about 13 400 × 13 400. A few-KB PNG can declare 50 000 × 50 000 pixels; the size is checked before any
    /// pixel memory is taken. Callers (the CLI's --max-pixels) may pass a larger limit.
    /// </summary>
    public const long DefaultMaxPixels = 178_956_970;

    /// <summary>The largest image file read, in bytes (1 GiB).</summary>
    public const long MaxFileBytes = 1L << 30;

    // Only the decoders of the formats we accept: ImageSharp's default configuration also decodes GIF, TIFF, WebP,
    // TGA and PBM, every frame of them, before a format check could refuse the result. A 1 MB GIF of 200 frames of
    // 2040 x 2040 took 53 s and 3.3 GB that way (found by the image fuzz target as a hang): a frame-count bomb that the
    // first frame's size check cannot see.
    static readonly Configuration Decoders = new(new JpegConfigurationModule(), new PngConfigurationModule(), new BmpConfigurationModule());

    /// <summary>Decodes the file at <paramref name="path"/>; an unreadable or unsupported file (a pipe, a device, an
    /// image over <paramref name="maxPixels"/>) throws <see cref="InvalidDataException"/> with a one-line message
    /// naming it (a missing one FileNotFoundException).</summary>
    public static RgbImage Load(string path, long maxPixels = DefaultMaxPixels)
    {
        byte[] bytes = RegularFile.ReadAllBytes(path, MaxFileBytes);
        return Decode(bytes, path, maxPixels);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage Decode(byte[] encoded, string name, long maxPixels = DefaultMaxPixels)
    {
        string file = Path.GetFileName(name);
        if (JpegDecoder.IsJpeg(encoded))
        {
            try
            {
                var jpeg = JpegDecoder.Decode(encoded, maxPixels);
                return ExifOrientation.Apply(jpeg.Image, jpeg.Orientation);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }
            catch (JpegUnsupportedException)
            {
                // Fall through to ImageSharp, whose pixels are close to but not exactly libjpeg's.
            }
        }
        RefuseOtherFormats(encoded, file);
        CheckDeclaredSize(encoded, file, maxPixels);
        Image image;
        IImageFormat format;
        try
        {
            image = Image.Load(Decoders, encoded, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ImageSharp's own failures, and any crash of it on a hostile file (seen: NullReferenceException), mean
            // the file cannot be read: an input problem, not ours.
            throw new InvalidDataException($"{file}: not a readable JPEG, PNG or BMP image ({OneLine(e.Message)})", e);
        }
        using (image)
        {
            bool exifApplies = format == JpegFormat.Instance || format == PngFormat.Instance; // Decoders holds only JPEG, PNG, BMP
            bool sixteenBit = format == PngFormat.Instance && image.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16;
            var decoded = new RgbImage(image.Height, image.Width, sixteenBit ? HighBytes(image) : Bytes(image));
            int orientation = exifApplies ? Orientation(image.Metadata.ExifProfile) : 1;
            return ExifOrientation.Apply(decoded, orientation);
        }
    }

    /// <summary>Names a format ImageSharp knows but we do not accept (GIF, TIFF, WebP, TGA, PBM) from its first bytes
    /// alone, before anything is decoded.</summary>
    static void RefuseOtherFormats(byte[] encoded, string file)
    {
        IImageFormat? detected;
        try { detected = Image.DetectFormat(encoded); }
        catch (Exception e) when (e is not OutOfMemoryException) { return; }
        if (detected != null && detected != JpegFormat.Instance && detected != PngFormat.Instance && detected != BmpFormat.Instance)
            throw new InvalidDataException($"{file}: {detected.Name} images are not supported (JPEG, PNG or BMP only)");
    }

    /// <summary>Refuses an image whose header declares more than <paramref name="maxPixels"/> pixels, before ImageSharp
    /// decodes it (it reads only the header here; an unreadable header is left to the decoder's own error). Our JPEG
    /// decoder checks its frame header itself.</summary>
    static void CheckDeclaredSize(byte[] encoded, string file, long maxPixels)
    {
        IImageInfo? info;
        try { using var stream = new MemoryStream(encoded, writable: false); info = Image.Identify(Decoders, stream); }
        catch (Exception e) when (e is not OutOfMemoryException) { return; }
        if (info == null) return;
        // A header of zero rows or columns (BMP's height is signed: 0 x 269488144 was seen) has no pixels to decode, but a
        // decoder may still size its buffers by the other side: refuse it here, before any of them is taken.
        if (info.Width < 1 || info.Height < 1)
            throw new InvalidDataException($"{file}: the header says {info.Width}x{info.Height} pixels: an image without pixels");
        CheckPixels(info.Width, info.Height, file, maxPixels);
    }

    /// <summary>Throws when a <paramref name="width"/> × <paramref name="height"/> image is over <paramref name="maxPixels"/>.</summary>
    public static void CheckPixels(long width, long height, string file, long maxPixels)
    {
        if (width * height > maxPixels)
            throw new InvalidDataException($"{file}: {width}x{height} is {width * height:N0} pixels, over the limit of {maxPixels:N0} " +
                "(--max-pixels raises it)");
    }

    // 8-bit sources: ImageSharp's conversion to RGB replicates grey, expands palettes and drops alpha, as imread.
    static byte[] Bytes(Image image)
    {
        var pixels = new byte[image.Width * image.Height * 3];
        var target = MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan());
        if (image is Image<Rgb24> rgb)
        {
            rgb.CopyPixelDataTo(target);
            return pixels;
        }
        using var converted = image.CloneAs<Rgb24>();
        converted.CopyPixelDataTo(target);
        return pixels;
    }

    // 16-bit PNGs: OpenCV asks libpng to strip each sample to its high byte (png_set_strip_16), where
    // ImageSharp's 8-bit conversion would round v·255/65535; keep the high byte as OpenCV does.
    static byte[] HighBytes(Image image)
    {
        using var wide = image.CloneAs<Rgb48>();
        var samples = new ushort[image.Width * image.Height * 3];
        wide.CopyPixelDataTo(MemoryMarshal.Cast<ushort, Rgb48>(samples.AsSpan()));
        var pixels = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++) pixels[i] = (byte)(samples[i] >> 8);
        return pixels;
    }

    static int Orientation(ExifProfile? exif) => exif?.GetValue(ExifTag.Orientation)?.Value ?? 1;

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
