namespace NativeCam.Tensors;

/// <summary>
/// A convolution's dimensions as the CPU paths use them: it maps an "input" [InImages, Cin, H, W] to an "output"
/// [OutImages, Cout, OH, OW] through weights [Cout, Cin/Groups, KH, KW]. The image counts are equal except in the
/// weight gradient, where one of the two may hold the N images shared by K targets.
/// </summary>
internal readonly struct ConvDims(int inImages, int cin, int h, int w, int outImages, int cout, int oh, int ow, int kh, int kw, ConvGeometry g)
{
    public readonly int InImages = inImages, Cin = cin, H = h, W = w;
    public readonly int OutImages = outImages, Cout = cout, OH = oh, OW = ow;
    public readonly int KH = kh, KW = kw, SH = g.StrideH, SW = g.StrideW, PH = g.PadH, PW = g.PadW, Groups = g.Groups;

    public int CinG => Cin / Groups;
    public int CoutG => Cout / Groups;
    public int Taps => KH * KW;

    /// <summary>Rows of a group's im2col panel (the GEMM's reduction length): Cin/G·kh·kw.</summary>
    public int Kdim => CinG * KH * KW;

    public int InPlane => H * W;
    public int OutPlane => OH * OW;

    /// <summary>1×1, stride 1, no padding: the input image is already the im2col panel.</summary>
    public bool Pointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Each output channel reads one input channel and there are few per group (depth-wise): a GEMM would
    /// have m ≤ 4, so a direct vectorised loop does better.</summary>
    public bool Depthwise => CinG == 1 && CoutG <= 4;
}
