namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// The EXIF orientation (tag 0x0112 of IFD0) as OpenCV 4.x finds it in a JPEG: in the first APP1 segment,
/// whose TIFF header follows the 6-byte "Exif\0\0" identifier. Anything unreadable means 1 (as stored),
/// like OpenCV, which gives up silently on a malformed block.
/// </summary>
static class ExifOrientationTag
{
    const int OrientationTag = 0x0112;

    /// <summary>Reads the tag from the payload of an APP1 segment (after its length field).</summary>
    public static int Read(ReadOnlySpan<byte> app1)
    {
        if (app1.Length <= 6) return 1;
        var tiff = app1[6..];
        if (tiff.Length < 8) return 1;
        bool little = tiff[0] == (byte)'I' && tiff[1] == (byte)'I';
        bool big = tiff[0] == (byte)'M' && tiff[1] == (byte)'M';
        if (!little && !big || U16(tiff, 2, little) != 42) return 1;
        long ifd = U32(tiff, 4, little);
        if (ifd + 2 > tiff.Length) return 1;
        int entries = U16(tiff, (int)ifd, little);
        for (int i = 0; i < entries; i++)
        {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > tiff.Length) return 1;
            if (U16(tiff, (int)entry, little) == OrientationTag) return U16(tiff, (int)entry + 8, little);
        }
        return 1;
    }

    static int U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? b[at] | b[at + 1] << 8 : b[at] << 8 | b[at + 1];

    static long U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24)
               : (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
}
