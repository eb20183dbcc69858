namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// A frame header (SOF0/1/2) with the geometry libjpeg derives from it: the largest sampling factors,
/// the MCU grid of interleaved scans, and each component's size and padded coefficient storage.
/// </summary>
sealed class JpegFrame
{
    public int Width { get; }
    public int Height { get; }
    public bool Progressive { get; }
    public JpegComponent[] Components { get; }
    public int MaxH { get; }
    public int MaxV { get; }
    public int McusPerLine { get; }
    public int McusPerColumn { get; }

    public JpegFrame(int width, int height, bool progressive, JpegComponent[] components, int encodedLength)
    {
        Width = width;
        Height = height;
        Progressive = progressive;
        Components = components;
        MaxH = components.Max(c => c.H);
        MaxV = components.Max(c => c.V);
        McusPerLine = Ceil(width, 8 * MaxH);
        McusPerColumn = Ceil(height, 8 * MaxV);
        long codedBlocks = 0;
        foreach (var c in components)
        {
            // libjpeg only upsamples by whole factors.
            if (MaxH % c.H != 0 || MaxV % c.V != 0)
                throw new InvalidDataException($"fractional sampling factors ({c.H}x{c.V} of {MaxH}x{MaxV}) are not supported (nor by libjpeg)");
            c.Width = Ceil(width * c.H, MaxH);
            c.Height = Ceil(height * c.V, MaxV);
            c.BlocksPerLine = McusPerLine * c.H;
            c.BlocksPerColumn = McusPerColumn * c.V;
            codedBlocks += (long)c.ScanBlocksPerLine * c.ScanBlocksPerColumn;
        }
        // Every coded block takes at least one bit (its DC code), so a header claiming more blocks than
        // the file has bits is corrupt; checking it first keeps a forged size from allocating gigabytes.
        if (codedBlocks > 8L * encodedLength || (long)width * height * 3 > Array.MaxLength)
            throw new InvalidDataException($"corrupt JPEG data ({width}x{height} image in a {encodedLength}-byte file)");
        foreach (var c in components)
            c.Coefficients = new short[c.BlocksPerLine * c.BlocksPerColumn * 64];
    }

    static int Ceil(int a, int b) => (a + b - 1) / b;
}
