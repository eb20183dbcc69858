namespace NativeCam.Imaging.Jpeg;

/// <summary>The pixels of a decoded JPEG (as stored, before orientation) and its EXIF orientation tag.</summary>
public sealed record DecodedJpeg(RgbImage Image, int Orientation);

/// <summary>
/// Decodes baseline, extended-sequential and progressive Huffman JPEGs (8-bit, greyscale or 3 components,
/// any whole sampling ratios, restart intervals) to exactly the pixels libjpeg-turbo gives cv2.imread with
/// its defaults: ISLOW integer IDCT, fancy upsampling, integer YCbCr → RGB; greyscale is replicated to
/// RGB. Other flavours throw <see cref="JpegUnsupportedException"/>; corrupt or truncated data throws
/// <see cref="InvalidDataException"/> (one line, without the file name).
/// </summary>
public static class JpegDecoder
{
    /// <summary>True when the data starts with the SOI marker (FF D8), i.e. is meant to be a JPEG.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8;

    /// <summary>Decodes <paramref name="data"/>; a frame over <paramref name="maxPixels"/> pixels is refused before its
    /// coefficients are decoded.</summary>
    public static DecodedJpeg Decode(byte[] data, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        var parser = new JpegParser(data) { MaxPixels = maxPixels };
        parser.Parse();
        var frame = parser.Frame!;
        var planes = frame.Components.Select(c => ChromaUpsampler.ToImageSize(Samples(c, out int stride), stride, c, frame)).ToArray();
        var rgb = new byte[frame.Width * frame.Height * 3];
        if (planes.Length == 1) Grey(planes[0], rgb);
        else if (IsRgb(parser, frame)) Interleave(planes, rgb);
        else YccToRgb.Convert(planes[0], planes[1], planes[2], rgb);
        return new DecodedJpeg(new RgbImage(frame.Height, frame.Width, rgb), parser.Orientation);
    }

    /// <summary>All blocks of a component through the IDCT, into a plane of its padded block grid.</summary>
    static byte[] Samples(JpegComponent c, out int stride)
    {
        stride = c.BlocksPerLine * 8;
        var samples = new byte[stride * c.BlocksPerColumn * 8];
        var quant = c.Quant!;
        for (int row = 0; row < c.BlocksPerColumn; row++)
            for (int col = 0; col < c.BlocksPerLine; col++)
                IslowIdct.Transform(c.Coefficients.AsSpan(c.BlockOffset(row, col), 64), quant,
                    samples.AsSpan(row * 8 * stride + col * 8), stride);
        return samples;
    }

    /// <summary>libjpeg's guess of a 3-component colour space (jdapimin.c): a JFIF marker means YCbCr; an Adobe
    /// marker says it (transform 0: RGB); otherwise component ids 'R','G','B' mean RGB and anything else YCbCr.</summary>
    static bool IsRgb(JpegParser parser, JpegFrame frame)
    {
        if (parser.SawJfif) return false;
        if (parser.AdobeTransform >= 0) return parser.AdobeTransform == 0;
        var ids = frame.Components.Select(c => c.Id).ToArray();
        return ids is [82, 71, 66];
    }

    static void Grey(byte[] luma, byte[] rgb)
    {
        for (int i = 0; i < luma.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = luma[i];
    }

    static void Interleave(byte[][] planes, byte[] rgb)
    {
        for (int i = 0; i < planes[0].Length; i++)
            for (int ch = 0; ch < 3; ch++) rgb[3 * i + ch] = planes[ch][i];
    }
}
