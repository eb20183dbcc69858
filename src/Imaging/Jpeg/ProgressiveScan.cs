namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// A scan of a progressive (SOF2) Huffman frame (T.81 G.1.2): spectral selection Ss..Se and successive
/// approximation (Ah: bits already sent, Al: the bit position of this pass). DC scans (Ss = 0) may be
/// interleaved; AC scans code a band of one component, with end-of-band runs spanning blocks. The four
/// passes (DC/AC, first/refinement) follow libjpeg's decoder, including where corrupt runs land.
/// </summary>
sealed class ProgressiveScan(JpegFrame frame, JpegComponent[] components, int restartInterval, BitReader bits,
    HuffmanTable?[] dcTables, HuffmanTable?[] acTables, int ss, int se, int ah, int al)
    : EntropyScan(frame, components, restartInterval, bits)
{
    int _endOfBandRun; // blocks left (after the current one) that have nothing more in this band

    protected override void Reset()
    {
        base.Reset();
        _endOfBandRun = 0;
    }

    protected override void DecodeBlock(JpegComponent c, int offset)
    {
        var block = c.Coefficients.AsSpan(offset, 64);
        if (ss == 0)
        {
            if (ah == 0)
            {
                int size = dcTables[c.DcTable]!.Decode(Bits);
                c.DcPredictor += Bits.Signed(size);
                block[0] = (short)(c.DcPredictor << al);
            }
            else if (Bits.Bit() != 0) block[0] |= (short)(1 << al);
        }
        else if (ah == 0) AcFirst(block, acTables[c.AcTable]!);
        else AcRefine(block, acTables[c.AcTable]!);
    }

    void AcFirst(Span<short> block, HuffmanTable table)
    {
        if (_endOfBandRun > 0)
        {
            _endOfBandRun--;
            return;
        }
        for (int k = ss; k <= se; k++)
        {
            int symbol = table.Decode(Bits);
            int run = symbol >> 4, size = symbol & 15;
            if (size != 0)
            {
                k += run;
                block[ZigZag.ToNatural[k]] = (short)(Bits.Signed(size) << al);
            }
            else if (run == 15) k += 15;
            else
            {
                // EOBr: this block and (2^r - 1 + r more bits) following ones end here.
                _endOfBandRun = (1 << run) - 1 + Bits.Bits(run);
                break;
            }
        }
    }

    void AcRefine(Span<short> block, HuffmanTable table)
    {
        int plus = 1 << al, minus = -1 << al;
        int k = ss;
        if (_endOfBandRun == 0)
        {
            for (; k <= se; k++)
            {
                int symbol = table.Decode(Bits);
                int run = symbol >> 4, size = symbol & 15, value = 0;
                if (size != 0) value = Bits.Bit() != 0 ? plus : minus; // a new coefficient of magnitude 1 << al
                else if (run != 15)
                {
                    _endOfBandRun = (1 << run) + Bits.Bits(run);
                    break;
                }
                // Skip `run` zero coefficients, refining the non-zero ones passed on the way, then place the new one.
                do
                {
                    int at = ZigZag.ToNatural[k];
                    if (block[at] != 0) Refine(block, at, plus, minus);
                    else if (--run < 0) break;
                    k++;
                } while (k <= se);
                if (value != 0) block[ZigZag.ToNatural[k]] = (short)value;
            }
        }
        if (_endOfBandRun > 0)
        {
            // Inside an end-of-band run only the already non-zero coefficients get their correction bit.
            for (; k <= se; k++)
            {
                int at = ZigZag.ToNatural[k];
                if (block[at] != 0) Refine(block, at, plus, minus);
            }
            _endOfBandRun--;
        }
    }

    // A correction bit of 1 grows the magnitude of a coefficient that does not have this bit yet.
    void Refine(Span<short> block, int at, int plus, int minus)
    {
        if (Bits.Bit() != 0 && (block[at] & plus) == 0)
            block[at] += (short)(block[at] >= 0 ? plus : minus);
    }
}
