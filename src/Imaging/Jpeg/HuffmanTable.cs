namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// A canonical Huffman table from a DHT segment (ITU T.81 annex C): code lengths 1-16 and the symbols in
/// code order. Codes of up to <see cref="LookupBits"/> bits decode with one table look-up; longer ones by
/// comparing against the largest code of each length.
/// </summary>
sealed class HuffmanTable
{
    public const int LookupBits = 9;

    /// <summary>For each <see cref="LookupBits"/>-bit prefix: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer.</summary>
    readonly ushort[] _lookup = new ushort[1 << LookupBits];
    /// <summary>Largest code of each length (index 1-16), -1 where the length has no codes.</summary>
    readonly int[] _maxCode = new int[18];
    /// <summary>Symbol index of the first code of each length, minus that code: symbol = _symbols[code + _offset[l]].</summary>
    readonly int[] _offset = new int[17];
    readonly byte[] _symbols;

    /// <summary>The largest symbol, so a DC table can be checked (its symbols are bit counts of at most 15).</summary>
    public int MaxSymbol { get; }

    public HuffmanTable(ReadOnlySpan<byte> countsPerLength, ReadOnlySpan<byte> symbols)
    {
        _symbols = symbols.ToArray();
        MaxSymbol = _symbols.Length == 0 ? 0 : _symbols.Max();
        int code = 0, index = 0;
        for (int length = 1; length <= 16; length++)
        {
            int count = countsPerLength[length - 1];
            // The codes of one length must fit in that many bits (libjpeg rejects the table otherwise).
            if (code + count > 1 << length) throw new InvalidDataException("corrupt JPEG data (bad Huffman table)");
            _offset[length] = index - code;
            for (int i = 0; i < count; i++, index++, code++)
                if (length <= LookupBits)
                {
                    // Every LookupBits-bit word that starts with this code decodes to it.
                    int shift = LookupBits - length, first = code << shift;
                    for (int j = 0; j < 1 << shift; j++) _lookup[first + j] = (ushort)((length << 8) | symbols[index]);
                }
            _maxCode[length] = count == 0 ? -1 : code - 1;
            code <<= 1;
        }
        _maxCode[17] = int.MaxValue; // sentinel: unreachable, the loop below stops at 16
    }

    /// <summary>Decodes one symbol from the next 16 bits of <paramref name="bits"/>.</summary>
    public int Decode(BitReader bits)
    {
        int word = bits.Peek16();
        int entry = _lookup[word >> (16 - LookupBits)];
        if (entry != 0)
        {
            bits.Skip(entry >> 8);
            return entry & 0xFF;
        }
        for (int length = LookupBits + 1; length <= 16; length++)
        {
            int code = word >> (16 - length);
            if (code <= _maxCode[length])
            {
                bits.Skip(length);
                return _symbols[code + _offset[length]];
            }
        }
        throw new InvalidDataException("corrupt JPEG data (bad Huffman code)");
    }
}
