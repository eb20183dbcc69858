namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// A scan of a sequential (SOF0/SOF1) Huffman frame: every block's DC difference and its AC run/size codes
/// (T.81 F.2.2), in the order and with the overflow behaviour of libjpeg's decoder.
/// </summary>
sealed class SequentialScan(JpegFrame frame, JpegComponent[] components, int restartInterval, BitReader bits,
    HuffmanTable?[] dcTables, HuffmanTable?[] acTables)
    : EntropyScan(frame, components, restartInterval, bits)
{
    protected override void DecodeBlock(JpegComponent c, int offset)
    {
        var block = c.Coefficients.AsSpan(offset, 64);
        int size = dcTables[c.DcTable]!.Decode(Bits);
        c.DcPredictor += Bits.Signed(size);
        block[0] = (short)c.DcPredictor;
        var ac = acTables[c.AcTable]!;
        for (int k = 1; k < 64; k++)
        {
            int symbol = ac.Decode(Bits);
            int run = symbol >> 4;
            size = symbol & 15;
            if (size == 0)
            {
                if (run != 15) break; // end of block
                k += 15;              // sixteen zeros
                continue;
            }
            k += run;
            block[ZigZag.ToNatural[k]] = (short)Bits.Signed(size);
        }
    }
}
