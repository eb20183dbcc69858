namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// Walks the marker segments of a JPEG file (T.81 annex B) from SOI to EOI, keeping the tables they define
/// and decoding each scan into the frame's coefficients as it comes. What it accepts and rejects follows
/// libjpeg: stray bytes between segments are skipped, a file that ends after complete scan data without
/// EOI is accepted, and quantisation tables are latched per component at its first scan.
/// </summary>
sealed partial class JpegParser(byte[] data)
{
    readonly ushort[]?[] _quant = new ushort[4][];
    readonly HuffmanTable?[] _dc = new HuffmanTable[4], _ac = new HuffmanTable[4];
    int _restartInterval;

    public JpegFrame? Frame { get; private set; }

    /// <summary>The largest frame accepted, in pixels (checked when the frame header is read).</summary>
    public long MaxPixels { get; init; } = ImageLoader.DefaultMaxPixels;
    public int Orientation { get; private set; } = 1;
    public bool SawJfif { get; private set; }
    /// <summary>The Adobe APP14 colour transform flag (0: RGB/CMYK as is, 1: YCbCr, 2: YCCK), -1 without one.</summary>
    public int AdobeTransform { get; private set; } = -1;
    bool _sawApp1;

    /// <summary>Which components have been in a scan, and (progressive) the last successive-approximation bit
    /// each coefficient received (-1 none yet), as libjpeg's coef_bits.</summary>
    bool[] _scanned = [];
    int[][] _coefBits = [];

    public void Parse()
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8) throw new InvalidDataException("not a JPEG file (no SOI marker)");
        int pos = 2;
        while (true)
        {
            int marker = NextMarker(ref pos);
            if (marker < 0 || marker == 0xD9) break; // end of data or EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // stray RSTn / TEM: no segment, ignored
            if (pos + 2 > data.Length) throw Truncated();
            int length = data[pos] << 8 | data[pos + 1];
            if (length < 2 || pos + length > data.Length) throw Truncated();
            var segment = data.AsSpan(pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2: ReadFrame(segment, progressive: marker == 0xC2); break;
                case 0xC3 or >= 0xC5 and <= 0xC7 or >= 0xC9 and <= 0xCB or >= 0xCD and <= 0xCF:
                    throw new JpegUnsupportedException($"JPEG process SOF{marker - 0xC0} (lossless, hierarchical or arithmetic-coded)");
                case 0xC4: ReadHuffmanTables(segment); break;
                case 0xDB: ReadQuantTables(segment); break;
                case 0xDD: _restartInterval = segment.Length >= 2 ? segment[0] << 8 | segment[1] : throw Corrupt("DRI");
                    break;
                case 0xDA: pos = ReadScan(segment, pos); break;
                case 0xE0: SawJfif |= segment.Length >= 5 && segment[..5].SequenceEqual("JFIF\0"u8); break;
                case 0xE1:
                    if (!_sawApp1) Orientation = ExifOrientationTag.Read(segment);
                    _sawApp1 = true;
                    break;
                case 0xEE:
                    if (segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8)) AdobeTransform = segment[11];
                    break;
                case >= 0xE2 and <= 0xEF or 0xFE: break; // other APPn, COM
                case 0xD8: throw Corrupt("a second SOI marker");
                case 0xDC: throw new InvalidDataException("JPEG with a DNL marker (height defined after the scan) is not supported, nor by libjpeg");
                default: throw Corrupt($"unknown marker 0x{marker:X2}");
            }
        }
        if (Frame == null) throw new InvalidDataException("JPEG data holds no image (no frame before EOI)");
        if (_scanned.Any(s => !s)) throw Truncated();
        if (Frame.Progressive && _coefBits.Any(bits => bits.Take(10).Any(b => b != 0)))
            throw new JpegUnsupportedException("progressive JPEG whose scans leave low-frequency coefficients incomplete (libjpeg would apply block smoothing)");
    }

    /// <summary>Moves past the next marker (skipping stray bytes and FF fill) and returns its code, or -1 at the end.</summary>
    int NextMarker(ref int pos)
    {
        while (pos + 1 < data.Length)
        {
            if (data[pos] == 0xFF && data[pos + 1] is not 0 and not 0xFF)
            {
                pos += 2;
                return data[pos - 1];
            }
            pos++;
        }
        pos = data.Length;
        return -1;
    }

    void ReadFrame(ReadOnlySpan<byte> s, bool progressive)
    {
        if (Frame != null) throw Corrupt("a second frame header");
        if (s.Length < 6) throw Corrupt("SOF");
        if (s[0] != 8) throw new JpegUnsupportedException($"{s[0]}-bit JPEG samples");
        int height = s[1] << 8 | s[2], width = s[3] << 8 | s[4], count = s[5];
        if (height == 0) throw new InvalidDataException("JPEG with a DNL marker (height defined after the scan) is not supported, nor by libjpeg");
        if (width == 0 || count == 0 || s.Length < 6 + 3 * count) throw Corrupt("SOF");
        if (count is not (1 or 3)) throw new JpegUnsupportedException($"{count}-component JPEG (only greyscale and 3-component colour are decoded here)");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            var c = s.Slice(6 + 3 * i, 3);
            int h = c[1] >> 4, v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || c[2] > 3) throw Corrupt("SOF component");
            components[i] = new JpegComponent { Id = c[0], H = h, V = v, QuantTableIndex = c[2] };
        }
        if ((long)width * height > MaxPixels)
            throw new InvalidDataException($"{width}x{height} is {(long)width * height:N0} pixels, over the limit of {MaxPixels:N0} (--max-pixels raises it)");
        Frame = new JpegFrame(width, height, progressive, components, data.Length);
        _scanned = new bool[count];
        _coefBits = components.Select(_ => Enumerable.Repeat(-1, 64).ToArray()).ToArray();
    }

    void ReadQuantTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int precision = s[0] >> 4, index = s[0] & 15, size = precision == 0 ? 64 : 128;
            if (precision > 1 || index > 3 || s.Length < 1 + size) throw Corrupt("DQT");
            var table = new ushort[64];
            for (int k = 0; k < 64; k++)
                table[ZigZag.ToNatural[k]] = (ushort)(precision == 0 ? s[1 + k] : s[1 + 2 * k] << 8 | s[2 + 2 * k]);
            _quant[index] = table;
            s = s[(1 + size)..];
        }
    }

    void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17) throw Corrupt("DHT");
            int tableClass = s[0] >> 4, index = s[0] & 15, total = 0;
            for (int i = 1; i <= 16; i++) total += s[i];
            if (tableClass > 1 || index > 3 || total > 256 || s.Length < 17 + total) throw Corrupt("DHT");
            var table = new HuffmanTable(s.Slice(1, 16), s.Slice(17, total));
            (tableClass == 0 ? _dc : _ac)[index] = table;
            s = s[(17 + total)..];
        }
    }

    static InvalidDataException Corrupt(string what) => new($"corrupt JPEG data (bad {what})");
    static InvalidDataException Truncated() => new("JPEG data is truncated");
}
