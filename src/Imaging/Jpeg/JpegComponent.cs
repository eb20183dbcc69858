namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// One colour component of a frame: its sampling factors, its quantisation table (latched when its first
/// scan starts, as libjpeg does) and all its quantised DCT coefficients, 64 per block in natural
/// (row-major) order, over a block grid padded to whole MCUs.
/// </summary>
sealed class JpegComponent
{
    public required int Id { get; init; }
    public required int H { get; init; }
    public required int V { get; init; }
    public required int QuantTableIndex { get; init; }

    /// <summary>Samples per row / rows of this component: ceil(imageWidth·H / maxH) (libjpeg's downsampled_width).</summary>
    public int Width { get; set; }
    public int Height { get; set; }

    /// <summary>The padded block grid (whole MCUs of an interleaved scan).</summary>
    public int BlocksPerLine { get; set; }
    public int BlocksPerColumn { get; set; }

    /// <summary>The blocks a non-interleaved scan codes: ceil(Width/8) x ceil(Height/8).</summary>
    public int ScanBlocksPerLine => (Width + 7) / 8;
    public int ScanBlocksPerColumn => (Height + 7) / 8;

    public short[] Coefficients { get; set; } = [];

    /// <summary>Dequantisation factors in natural order; null until the component's first scan.</summary>
    public ushort[]? Quant { get; set; }

    /// <summary>The DC prediction of the current scan (reset at its start and at each restart).</summary>
    public int DcPredictor { get; set; }

    public int DcTable { get; set; }
    public int AcTable { get; set; }

    /// <summary>The index of block (row, col) in <see cref="Coefficients"/>.</summary>
    public int BlockOffset(int row, int col) => (row * BlocksPerLine + col) * 64;
}
