namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// Walks the MCUs of one scan (T.81 A.2): an interleaved scan codes each MCU as H x V blocks of every
/// component over the frame's padded MCU grid; a single-component scan codes one block per MCU over just
/// that component's ceil(width/8) x ceil(height/8) blocks. Every <c>restartInterval</c> MCUs the coder's
/// state is reset behind an RSTn marker (n counting 0-7). Subclasses decode the blocks.
/// </summary>
abstract class EntropyScan(JpegFrame frame, JpegComponent[] components, int restartInterval, BitReader bits)
{
    protected BitReader Bits { get; } = bits;

    public void Decode()
    {
        bool interleaved = components.Length > 1;
        int mcusPerLine = interleaved ? frame.McusPerLine : components[0].ScanBlocksPerLine;
        int mcusPerColumn = interleaved ? frame.McusPerColumn : components[0].ScanBlocksPerColumn;
        Reset();
        int mcu = 0, restarts = 0;
        for (int row = 0; row < mcusPerColumn; row++)
            for (int col = 0; col < mcusPerLine; col++, mcu++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    int marker = Bits.NextMarker();
                    if (marker != 0xD0 + (restarts & 7))
                        throw new InvalidDataException($"corrupt JPEG data (expected restart marker RST{restarts & 7}, found {Describe(marker)})");
                    restarts++;
                    Reset();
                }
                if (!interleaved)
                {
                    DecodeBlock(components[0], components[0].BlockOffset(row, col));
                    continue;
                }
                foreach (var c in components)
                    for (int v = 0; v < c.V; v++)
                        for (int h = 0; h < c.H; h++)
                            DecodeBlock(c, c.BlockOffset(row * c.V + v, col * c.H + h));
            }
    }

    /// <summary>Decodes the next block of component <paramref name="c"/> into its coefficients at <paramref name="offset"/>.</summary>
    protected abstract void DecodeBlock(JpegComponent c, int offset);

    /// <summary>State that starts afresh with the scan and after each restart marker: the DC predictions, and
    /// (progressive) the end-of-band run.</summary>
    protected virtual void Reset()
    {
        foreach (var c in components) c.DcPredictor = 0;
    }

    static string Describe(int marker) => marker < 0 ? "the end of the data" : $"marker 0x{marker:X2}";
}
