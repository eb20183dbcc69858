namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// Reads the entropy-coded bytes of a scan most-significant bit first, undoing byte stuffing (FF 00 → FF).
/// It stops in front of any marker: from there on it supplies zero bits, as libjpeg does, but consuming one
/// of those means the data ended early, which is an <see cref="InvalidDataException"/>. Every call reads
/// at most a few bytes, so no loop can outrun the data.
/// </summary>
sealed class BitReader(byte[] data, int start)
{
    ulong _buffer;      // the next _count bits, right-aligned
    int _count;
    int _padding;       // how many of the low bits are the zero fill after a marker or the end of data

    /// <summary>Position of the next unread byte; while <see cref="AtMarker"/>, the marker's FF.</summary>
    public int Position { get; private set; } = start;

    /// <summary>True once the reader has run into a marker (or the end of the data).</summary>
    public bool AtMarker { get; private set; }

    void Fill()
    {
        while (_count <= 56)
        {
            int b = 0;
            if (!AtMarker)
            {
                if (Position >= data.Length) AtMarker = true;
                else if (data[Position] != 0xFF) b = data[Position++];
                else
                {
                    // FF: stuffed data byte (FF 00), fill bytes (FF FF ...), or a marker.
                    int next = Position + 1;
                    while (next < data.Length && data[next] == 0xFF) next++;
                    if (next < data.Length && data[next] == 0) { b = 0xFF; Position = next + 1; }
                    else { AtMarker = true; Position = next - 1; }
                }
            }
            if (AtMarker) _padding += 8;
            _buffer = (_buffer << 8) | (uint)b;
            _count += 8;
        }
    }

    /// <summary>The next 16 bits without consuming them (zeros past a marker).</summary>
    public int Peek16()
    {
        if (_count < 16) Fill();
        return (int)(_buffer >> (_count - 16)) & 0xFFFF;
    }

    public void Skip(int n)
    {
        _count -= n;
        if (_count < _padding) throw new InvalidDataException("corrupt JPEG data (premature end of entropy-coded data)");
    }

    /// <summary>The next <paramref name="n"/> bits (0-16) as an unsigned number.</summary>
    public int Bits(int n)
    {
        if (n == 0) return 0;
        if (_count < n) Fill();
        int value = (int)(_buffer >> (_count - n)) & ((1 << n) - 1);
        Skip(n);
        return value;
    }

    public int Bit() => Bits(1);

    /// <summary>The next <paramref name="n"/> bits read as a signed magnitude category (T.81 F.2.2.1, EXTEND).</summary>
    public int Signed(int n)
    {
        int v = Bits(n);
        return n == 0 || v >= 1 << (n - 1) ? v : v - (1 << n) + 1;
    }

    /// <summary>
    /// Drops the partial byte and moves to the next marker (skipping stray bytes, as libjpeg does with a
    /// warning); returns its code, or -1 at the end of the data. The reader then continues after it.
    /// </summary>
    public int NextMarker()
    {
        _buffer = 0;
        _count = _padding = 0;
        int p = Position;
        while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] is not 0 and not 0xFF)) p++;
        AtMarker = false;
        if (p + 1 >= data.Length) { Position = data.Length; return -1; }
        Position = p + 2;
        return data[p + 1];
    }
}
