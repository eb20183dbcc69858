namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// libjpeg's YCbCr → RGB conversion (jdcolor.c), in 16-bit fixed point through per-value tables:
/// R = Y + round(1.402·(Cr−128)), B = Y + round(1.772·(Cb−128)),
/// G = Y + ((−0.34414·(Cb−128) − 0.71414·(Cr−128)) · 2^16 + 2^15) >> 16, each clamped to 0..255.
/// </summary>
static class YccToRgb
{
    const int ScaleBits = 16, Half = 1 << (ScaleBits - 1);

    static readonly int[] CrToR = new int[256], CbToB = new int[256], CrToG = new int[256], CbToG = new int[256];

    static YccToRgb()
    {
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrToR[i] = (Fix(1.40200) * x + Half) >> ScaleBits;
            CbToB[i] = (Fix(1.77200) * x + Half) >> ScaleBits;
            CrToG[i] = -Fix(0.71414) * x;
            CbToG[i] = -Fix(0.34414) * x + Half; // the rounding half rides along with Cb's term
        }
    }

    static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);

    /// <summary>Interleaves three full-size planes into RGB bytes.</summary>
    public static void Convert(byte[] y, byte[] cb, byte[] cr, byte[] rgb)
    {
        for (int i = 0, o = 0; i < y.Length; i++, o += 3)
        {
            int luma = y[i], blue = cb[i], red = cr[i];
            rgb[o] = Clamp(luma + CrToR[red]);
            rgb[o + 1] = Clamp(luma + ((CbToG[blue] + CrToG[red]) >> ScaleBits));
            rgb[o + 2] = Clamp(luma + CbToB[blue]);
        }
    }

    static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
