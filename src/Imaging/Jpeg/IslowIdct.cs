namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// libjpeg's JDCT_ISLOW inverse DCT (the default, and what cv2.imread uses): the Loeffler-Ligtenberg-
/// Moschytz 8-point IDCT (12 multiplies) in 32-bit fixed point with 13 fractional bits for the constants,
/// run down the columns (keeping 2 extra bits of precision) and then along the rows, each result rounded
/// by adding half and shifting right (DESCALE). Dequantisation is folded into the column pass, and the
/// final +128 level shift and clamp go through libjpeg's range-limit table, which wraps values far outside
/// [-512, 511] the way the C code does.
/// </summary>
static class IslowIdct
{
    const int ConstBits = 13, Pass1Bits = 2;

    // FIX(x) = round(x · 2^13) for the cosine terms of the LL&M factorisation.
    const int Fix0298631336 = 2446, Fix0390180644 = 3196, Fix0541196100 = 4433, Fix0765366865 = 6270;
    const int Fix0899976223 = 7373, Fix1175875602 = 9633, Fix1501321110 = 12299, Fix1847759065 = 15137;
    const int Fix1961570560 = 16069, Fix2053119869 = 16819, Fix2562915447 = 20995, Fix3072711026 = 25172;

    /// <summary>
    /// Output sample for a row-pass result x (indexed x &amp; 1023): x + 128 clamped to 0..255 for
    /// x in [-512, 511], and beyond that the table repeats, as libjpeg's post-IDCT table does.
    /// </summary>
    static readonly byte[] RangeLimit = BuildRangeLimit();

    static byte[] BuildRangeLimit()
    {
        var table = new byte[1024];
        for (int i = 0; i < 1024; i++)
        {
            int x = i < 512 ? i : i - 1024;
            table[i] = (byte)Math.Clamp(x + 128, 0, 255);
        }
        return table;
    }

    static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;

    /// <summary>Dequantises and inverts one block, writing 8x8 samples at <paramref name="output"/> with the given row stride.</summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        Span<int> work = stackalloc int[64];
        for (int col = 0; col < 8; col++) Column(coefficients, quant, work, col);
        for (int row = 0; row < 8; row++) Row(work.Slice(row * 8, 8), output.Slice(row * stride, 8));
    }

    static void Column(ReadOnlySpan<short> c, ReadOnlySpan<ushort> q, Span<int> work, int col)
    {
        if (c[8 + col] == 0 && c[16 + col] == 0 && c[24 + col] == 0 && c[32 + col] == 0 &&
            c[40 + col] == 0 && c[48 + col] == 0 && c[56 + col] == 0)
        {
            // Only the DC term: the column is flat (the same value the full computation gives).
            int dc = c[col] * q[col] << Pass1Bits;
            for (int row = 0; row < 8; row++) work[row * 8 + col] = dc;
            return;
        }
        Butterfly(c[col] * q[col], c[8 + col] * q[8 + col], c[16 + col] * q[16 + col], c[24 + col] * q[24 + col],
            c[32 + col] * q[32 + col], c[40 + col] * q[40 + col], c[48 + col] * q[48 + col], c[56 + col] * q[56 + col],
            out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);
        const int shift = ConstBits - Pass1Bits;
        work[col] = Descale(o0, shift);
        work[8 + col] = Descale(o1, shift);
        work[16 + col] = Descale(o2, shift);
        work[24 + col] = Descale(o3, shift);
        work[32 + col] = Descale(o4, shift);
        work[40 + col] = Descale(o5, shift);
        work[48 + col] = Descale(o6, shift);
        work[56 + col] = Descale(o7, shift);
    }

    static void Row(ReadOnlySpan<int> w, Span<byte> output)
    {
        const int shift = ConstBits + Pass1Bits + 3; // the 3: the 2-D IDCT's overall 1/8
        if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
        {
            output.Fill(RangeLimit[Descale(w[0], Pass1Bits + 3) & 1023]);
            return;
        }
        Butterfly(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);
        output[0] = RangeLimit[Descale(o0, shift) & 1023];
        output[1] = RangeLimit[Descale(o1, shift) & 1023];
        output[2] = RangeLimit[Descale(o2, shift) & 1023];
        output[3] = RangeLimit[Descale(o3, shift) & 1023];
        output[4] = RangeLimit[Descale(o4, shift) & 1023];
        output[5] = RangeLimit[Descale(o5, shift) & 1023];
        output[6] = RangeLimit[Descale(o6, shift) & 1023];
        output[7] = RangeLimit[Descale(o7, shift) & 1023];
    }

    /// <summary>
    /// The 1-D LL&amp;M IDCT of x0..x7, outputs scaled by 2^13 (not yet descaled). The even part rotates
    /// (x2, x6) and combines x0 ± x4; the odd part is the 4-input rotation network on x1, x3, x5, x7.
    /// </summary>
    static void Butterfly(int x0, int x1, int x2, int x3, int x4, int x5, int x6, int x7,
        out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7)
    {
        // Even part.
        int z1 = (x2 + x6) * Fix0541196100;
        int tmp2 = z1 - x6 * Fix1847759065;
        int tmp3 = z1 + x2 * Fix0765366865;
        int tmp0 = (x0 + x4) << ConstBits;
        int tmp1 = (x0 - x4) << ConstBits;
        int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

        // Odd part: inputs in the order the factorisation pairs them.
        int t0 = x7, t1 = x5, t2 = x3, t3 = x1;
        int z1o = t0 + t3, z2 = t1 + t2, z3 = t0 + t2, z4 = t1 + t3;
        int z5 = (z3 + z4) * Fix1175875602;
        t0 *= Fix0298631336;
        t1 *= Fix2053119869;
        t2 *= Fix3072711026;
        t3 *= Fix1501321110;
        z1o *= -Fix0899976223;
        z2 *= -Fix2562915447;
        z3 = z3 * -Fix1961570560 + z5;
        z4 = z4 * -Fix0390180644 + z5;
        t0 += z1o + z3;
        t1 += z2 + z4;
        t2 += z2 + z3;
        t3 += z1o + z4;

        o0 = tmp10 + t3;
        o7 = tmp10 - t3;
        o1 = tmp11 + t2;
        o6 = tmp11 - t2;
        o2 = tmp12 + t1;
        o5 = tmp12 - t1;
        o3 = tmp13 + t0;
        o4 = tmp13 - t0;
    }
}
