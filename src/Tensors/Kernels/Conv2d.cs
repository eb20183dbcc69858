using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// 2-D convolution (NCHW, groups, stride, zero padding) and its two backward rules. ConvTranspose2d reuses all
// three: its forward is Conv2dBackwardInput, its input gradient is Conv2d, its weight gradient is
// Conv2dBackwardWeight with the roles of input and output gradient swapped (see docs/ops/spatial.md).
public sealed partial class IlgpuBackend
{
    /// <summary>
    /// Everything a conv kernel needs to index: a conv maps an "input" [Batch, Cin, H, W] to an "output"
    /// [Batch, Cout, OH, OW] through weights [Cout, Cin/Groups, KH, KW]. The weight gradient also needs how many
    /// images each target owns (PerTarget) and how many images the input and output tensors hold (N or K·N).
    /// </summary>
    internal readonly struct ConvShape(int batch, int cin, int h, int w, int cout, int oh, int ow, int kh, int kw,
        ConvGeometry g, int perTarget, int inBatch, int outBatch)
    {
        public readonly int Batch = batch, Cin = cin, H = h, W = w, Cout = cout, OH = oh, OW = ow, KH = kh, KW = kw;
        public readonly int SH = g.StrideH, SW = g.StrideW, PH = g.PadH, PW = g.PadW, Groups = g.Groups;
        public readonly int PerTarget = perTarget, InBatch = inBatch, OutBatch = outBatch;
    }

    // Register tile of the forward and input-gradient kernels: 4 channels × 8 pixels of one row.
    const int TileC = 4, TileP = 8;

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, ConvShape>? _conv2d;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>? _conv2dBackwardInput;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>? _conv2dBackwardWeight;

    /// <summary>Pixel i of the row starting at rowStart if 0 ≤ i &lt; width, else zero padding.</summary>
    static float LoadPadded(ArrayView<float> x, int rowStart, int i, int width) =>
        (uint)i < (uint)width ? x[rowStart + i] : 0f;

    /// <summary>The output row element at t/stride if t is a multiple of stride inside [0, width·stride), else 0.</summary>
    static float LoadStrided(ArrayView<float> y, int rowStart, int t, int stride, int width)
    {
        if (t < 0 || t % stride != 0) return 0f;
        int o = t / stride;
        return o < width ? y[rowStart + o] : 0f;
    }

    /// <summary>Writes the pixels of a row tile that fall inside the row (the last tile of a row overhangs).</summary>
    static void StoreRow(ArrayView<float> y, int rowStart, int p0, int width, float b,
        float a0, float a1, float a2, float a3, float a4, float a5, float a6, float a7)
    {
        int n = width - p0;
        if (n > 0) y[rowStart + p0] = a0 + b;
        if (n > 1) y[rowStart + p0 + 1] = a1 + b;
        if (n > 2) y[rowStart + p0 + 2] = a2 + b;
        if (n > 3) y[rowStart + p0 + 3] = a3 + b;
        if (n > 4) y[rowStart + p0 + 4] = a4 + b;
        if (n > 5) y[rowStart + p0 + 5] = a5 + b;
        if (n > 6) y[rowStart + p0 + 6] = a6 + b;
        if (n > 7) y[rowStart + p0 + 7] = a7 + b;
    }

    // Forward. Work item: 4 output channels (of one group) × 8 consecutive output pixels of one row of one image;
    // its inner loop runs over the group's input channels and the kernel taps, keeping 32 sums (in registers on a
    // GPU; each input value feeds 4 channels, each weight 8 pixels). Channel rows past the group's end reuse its last
    // weight row and are not stored; pixels past the row's end read padding and are not stored.
    static void Conv2dKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> wt, ArrayView<float> bias, int hasBias,
        ArrayView<float> y, ConvShape s)
    {
        int cinG = s.Cin / s.Groups, coutG = s.Cout / s.Groups, taps = s.KH * s.KW, wRow = cinG * taps;
        int cBlocks = (coutG + TileC - 1) / TileC, pBlocks = (s.OW + TileP - 1) / TileP;
        int height = s.H, width = s.W, kh = s.KH, kw = s.KW; // locals: the hot loop should not re-read the struct
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int r = item;
                int pb = r % pBlocks; r /= pBlocks;
                int oy = r % s.OH; r /= s.OH;
                int cb = r % cBlocks; r /= cBlocks;
                int g = r % s.Groups, n = r / s.Groups;
                int co0 = g * coutG + cb * TileC, coLast = g * coutG + coutG - 1;
                int w0 = co0 * wRow, w1 = IntrinsicMath.Min(co0 + 1, coLast) * wRow;
                int w2 = IntrinsicMath.Min(co0 + 2, coLast) * wRow, w3 = IntrinsicMath.Min(co0 + 3, coLast) * wRow;
                int ox0 = pb * TileP, ixBase = ox0 * s.SW - s.PW, sw = s.SW;
                // Stride 1 with the whole span (8 pixels + kw − 1 taps) inside the row: tap kx + 1 sees the tile's
                // pixels shifted by one, so each tap after the first loads one new pixel and shifts the other seven.
                bool sliding = sw == 1 && ixBase >= 0 && ixBase + 7 + kw - 1 < width;
                float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a04 = 0, a05 = 0, a06 = 0, a07 = 0;
                float a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0, a16 = 0, a17 = 0;
                float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0, a25 = 0, a26 = 0, a27 = 0;
                float a30 = 0, a31 = 0, a32 = 0, a33 = 0, a34 = 0, a35 = 0, a36 = 0, a37 = 0;
                float v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0;
                for (int ci = 0; ci < cinG; ci++)
                {
                    int plane = (n * s.Cin + g * cinG + ci) * height;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * s.SH - s.PH + ky;
                        if ((uint)iy >= (uint)height) continue;
                        int row = (plane + iy) * width, tap = ci * taps + ky * kw;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ixBase + kx;
                            if (sliding)
                            {
                                int p = row + ix;
                                if (kx == 0)
                                {
                                    v0 = x[p]; v1 = x[p + 1]; v2 = x[p + 2]; v3 = x[p + 3];
                                    v4 = x[p + 4]; v5 = x[p + 5]; v6 = x[p + 6];
                                }
                                else
                                {
                                    v0 = v1; v1 = v2; v2 = v3; v3 = v4; v4 = v5; v5 = v6; v6 = v7;
                                }
                                v7 = x[p + 7];
                            }
                            else
                            {
                                v0 = LoadPadded(x, row, ix, width); v1 = LoadPadded(x, row, ix + sw, width);
                                v2 = LoadPadded(x, row, ix + 2 * sw, width); v3 = LoadPadded(x, row, ix + 3 * sw, width);
                                v4 = LoadPadded(x, row, ix + 4 * sw, width); v5 = LoadPadded(x, row, ix + 5 * sw, width);
                                v6 = LoadPadded(x, row, ix + 6 * sw, width); v7 = LoadPadded(x, row, ix + 7 * sw, width);
                            }
                            int wk = tap + kx;
                            float q0 = wt[w0 + wk], q1 = wt[w1 + wk], q2 = wt[w2 + wk], q3 = wt[w3 + wk];
                            a00 += q0 * v0; a01 += q0 * v1; a02 += q0 * v2; a03 += q0 * v3; a04 += q0 * v4; a05 += q0 * v5; a06 += q0 * v6; a07 += q0 * v7;
                            a10 += q1 * v0; a11 += q1 * v1; a12 += q1 * v2; a13 += q1 * v3; a14 += q1 * v4; a15 += q1 * v5; a16 += q1 * v6; a17 += q1 * v7;
                            a20 += q2 * v0; a21 += q2 * v1; a22 += q2 * v2; a23 += q2 * v3; a24 += q2 * v4; a25 += q2 * v5; a26 += q2 * v6; a27 += q2 * v7;
                            a30 += q3 * v0; a31 += q3 * v1; a32 += q3 * v2; a33 += q3 * v3; a34 += q3 * v4; a35 += q3 * v5; a36 += q3 * v6; a37 += q3 * v7;
                        }
                    }
                }
                int left = coLast - co0; // channels of this tile inside the group, minus one
                int yRow = ((n * s.Cout + co0) * s.OH + oy) * s.OW, yPlane = s.OH * s.OW;
                StoreRow(y, yRow, ox0, s.OW, hasBias != 0 ? bias[co0] : 0f, a00, a01, a02, a03, a04, a05, a06, a07);
                if (left >= 1) StoreRow(y, yRow + yPlane, ox0, s.OW, hasBias != 0 ? bias[co0 + 1] : 0f, a10, a11, a12, a13, a14, a15, a16, a17);
                if (left >= 2) StoreRow(y, yRow + 2 * yPlane, ox0, s.OW, hasBias != 0 ? bias[co0 + 2] : 0f, a20, a21, a22, a23, a24, a25, a26, a27);
                if (left >= 3) StoreRow(y, yRow + 3 * yPlane, ox0, s.OW, hasBias != 0 ? bias[co0 + 3] : 0f, a30, a31, a32, a33, a34, a35, a36, a37);
            }
    }

    // Input gradient, as a gather. Work item: 4 input channels (of one group) × 8 consecutive input pixels of one
    // row; it visits every output position whose window covers them: for tap (ky, kx), input row iy was read by
    // output row oy = (iy + ph − ky)/sh when that division is exact, and pixel ix by ox = (ix + pw − kx)/sw.
    static void Conv2dBackwardInputKernel(Index1D t, Work w, ArrayView<float> gy, ArrayView<float> wt, ArrayView<float> gx, ConvShape s)
    {
        int cinG = s.Cin / s.Groups, coutG = s.Cout / s.Groups, taps = s.KH * s.KW;
        int cBlocks = (cinG + TileC - 1) / TileC, pBlocks = (s.W + TileP - 1) / TileP;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int r = item;
                int pb = r % pBlocks; r /= pBlocks;
                int iy = r % s.H; r /= s.H;
                int cb = r % cBlocks; r /= cBlocks;
                int g = r % s.Groups, n = r / s.Groups;
                int cl0 = cb * TileC; // first channel of the tile, within the group
                int w0 = cl0 * taps, w1 = IntrinsicMath.Min(cl0 + 1, cinG - 1) * taps;
                int w2 = IntrinsicMath.Min(cl0 + 2, cinG - 1) * taps, w3 = IntrinsicMath.Min(cl0 + 3, cinG - 1) * taps;
                int ix0 = pb * TileP, sw = s.SW;
                // Stride 1 with every tap's 8 output columns inside the row: tap kx + 1 sees the columns of tap kx
                // shifted by one to the left, so each tap after the first loads one new value and shifts the rest.
                bool sliding = sw == 1 && ix0 + s.PW - (s.KW - 1) >= 0 && ix0 + s.PW + 7 < s.OW;
                float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a04 = 0, a05 = 0, a06 = 0, a07 = 0;
                float a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0, a16 = 0, a17 = 0;
                float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0, a25 = 0, a26 = 0, a27 = 0;
                float a30 = 0, a31 = 0, a32 = 0, a33 = 0, a34 = 0, a35 = 0, a36 = 0, a37 = 0;
                float v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0;
                for (int col = 0; col < coutG; col++)
                {
                    int co = g * coutG + col;
                    int plane = (n * s.Cout + co) * s.OH, wCo = co * cinG * taps;
                    for (int ky = 0; ky < s.KH; ky++)
                    {
                        int ty = iy + s.PH - ky;
                        if (ty < 0 || ty % s.SH != 0 || ty / s.SH >= s.OH) continue;
                        int row = (plane + ty / s.SH) * s.OW, tap = wCo + ky * s.KW;
                        for (int kx = 0; kx < s.KW; kx++)
                        {
                            int tx = ix0 + s.PW - kx; // pixel j of the tile meets output column (tx + j)/sw
                            if (sliding)
                            {
                                int p = row + tx;
                                if (kx == 0)
                                {
                                    v1 = gy[p + 1]; v2 = gy[p + 2]; v3 = gy[p + 3]; v4 = gy[p + 4];
                                    v5 = gy[p + 5]; v6 = gy[p + 6]; v7 = gy[p + 7];
                                }
                                else
                                {
                                    v7 = v6; v6 = v5; v5 = v4; v4 = v3; v3 = v2; v2 = v1; v1 = v0;
                                }
                                v0 = gy[p];
                            }
                            else
                            {
                                v0 = LoadStrided(gy, row, tx, sw, s.OW); v1 = LoadStrided(gy, row, tx + 1, sw, s.OW);
                                v2 = LoadStrided(gy, row, tx + 2, sw, s.OW); v3 = LoadStrided(gy, row, tx + 3, sw, s.OW);
                                v4 = LoadStrided(gy, row, tx + 4, sw, s.OW); v5 = LoadStrided(gy, row, tx + 5, sw, s.OW);
                                v6 = LoadStrided(gy, row, tx + 6, sw, s.OW); v7 = LoadStrided(gy, row, tx + 7, sw, s.OW);
                            }
                            float q0 = wt[tap + w0 + kx], q1 = wt[tap + w1 + kx], q2 = wt[tap + w2 + kx], q3 = wt[tap + w3 + kx];
                            a00 += q0 * v0; a01 += q0 * v1; a02 += q0 * v2; a03 += q0 * v3; a04 += q0 * v4; a05 += q0 * v5; a06 += q0 * v6; a07 += q0 * v7;
                            a10 += q1 * v0; a11 += q1 * v1; a12 += q1 * v2; a13 += q1 * v3; a14 += q1 * v4; a15 += q1 * v5; a16 += q1 * v6; a17 += q1 * v7;
                            a20 += q2 * v0; a21 += q2 * v1; a22 += q2 * v2; a23 += q2 * v3; a24 += q2 * v4; a25 += q2 * v5; a26 += q2 * v6; a27 += q2 * v7;
                            a30 += q3 * v0; a31 += q3 * v1; a32 += q3 * v2; a33 += q3 * v3; a34 += q3 * v4; a35 += q3 * v5; a36 += q3 * v6; a37 += q3 * v7;
                        }
                    }
                }
                int left = cinG - 1 - cl0;
                int xRow = ((n * s.Cin + g * cinG + cl0) * s.H + iy) * s.W, xPlane = s.H * s.W;
                StoreRow(gx, xRow, ix0, s.W, 0f, a00, a01, a02, a03, a04, a05, a06, a07);
                if (left >= 1) StoreRow(gx, xRow + xPlane, ix0, s.W, 0f, a10, a11, a12, a13, a14, a15, a16, a17);
                if (left >= 2) StoreRow(gx, xRow + 2 * xPlane, ix0, s.W, 0f, a20, a21, a22, a23, a24, a25, a26, a27);
                if (left >= 3) StoreRow(gx, xRow + 3 * xPlane, ix0, s.W, 0f, a30, a31, a32, a33, a34, a35, a36, a37);
            }
    }

    /// <summary>Writes the first n of four values to dst[at], dst[at + stride], ... (a weight-gradient tile row).</summary>
    static void StoreLanes(ArrayView<float> dst, int at, int stride, int n, float a0, float a1, float a2, float a3)
    {
        if (n > 0) dst[at] = a0;
        if (n > 1) dst[at + stride] = a1;
        if (n > 2) dst[at + 2 * stride] = a2;
        if (n > 3) dst[at + 3 * stride] = a3;
    }

    // Weight gradient. Work item: one tap (ky, kx) of a 4×4 block of weights (4 output × 4 input channels of one
    // group) for one target; it correlates that target's input images with its output gradients at the tap's offset,
    // keeping 16 sums (each loaded value feeds 4 of them). Output columns whose tap falls in the padding are skipped
    // by clamping the ox range, so the inner loop has no guards. Lanes past a group's end repeat its last channel
    // and are not stored.
    static void Conv2dBackwardWeightKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gw, ConvShape s)
    {
        int cinG = s.Cin / s.Groups, coutG = s.Cout / s.Groups, taps = s.KH * s.KW;
        int oBlocks = (coutG + 3) / 4, iBlocks = (cinG + 3) / 4;
        int wLen = s.Cout * cinG * taps;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int item = c; item < w.End(c); item++)
            {
                int r = item;
                int kx = r % s.KW; r /= s.KW;
                int ky = r % s.KH; r /= s.KH;
                int ib = r % iBlocks; r /= iBlocks;
                int ob = r % oBlocks; r /= oBlocks;
                int g = r % s.Groups, k = r / s.Groups;
                int co0 = g * coutG + ob * 4, coLast = g * coutG + coutG - 1;
                int co1 = IntrinsicMath.Min(co0 + 1, coLast), co2 = IntrinsicMath.Min(co0 + 2, coLast), co3 = IntrinsicMath.Min(co0 + 3, coLast);
                int ci0 = g * cinG + ib * 4, ciLast = g * cinG + cinG - 1;
                int ci1 = IntrinsicMath.Min(ci0 + 1, ciLast), ci2 = IntrinsicMath.Min(ci0 + 2, ciLast), ci3 = IntrinsicMath.Min(ci0 + 3, ciLast);
                // Output columns ox whose input column ox·sw − pw + kx lies in [0, W).
                int lead = s.PW - kx, trail = s.W - 1 + s.PW - kx;
                int oxLo = lead > 0 ? (lead + s.SW - 1) / s.SW : 0;
                int oxHi = trail < 0 ? -1 : IntrinsicMath.Min(s.OW - 1, trail / s.SW);
                float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
                int plane = s.OH * s.OW, xPlane = s.H * s.W;
                for (int q = 0; q < s.PerTarget; q++)
                {
                    int b = k * s.PerTarget + q;
                    int yImage = (b % s.OutBatch) * s.Cout * plane, xImage = (b % s.InBatch) * s.Cin * xPlane;
                    for (int oy = 0; oy < s.OH; oy++)
                    {
                        int iy = oy * s.SH - s.PH + ky;
                        if ((uint)iy >= (uint)s.H) continue;
                        int yRow = yImage + oy * s.OW, xRow = xImage + iy * s.W - lead;
                        int y0 = yRow + co0 * plane, y1 = yRow + co1 * plane, y2 = yRow + co2 * plane, y3 = yRow + co3 * plane;
                        int x0 = xRow + ci0 * xPlane, x1 = xRow + ci1 * xPlane, x2 = xRow + ci2 * xPlane, x3 = xRow + ci3 * xPlane;
                        for (int ox = oxLo; ox <= oxHi; ox++)
                        {
                            int ix = ox * s.SW;
                            float g0 = gy[y0 + ox], g1 = gy[y1 + ox], g2 = gy[y2 + ox], g3 = gy[y3 + ox];
                            float v0 = x[x0 + ix], v1 = x[x1 + ix], v2 = x[x2 + ix], v3 = x[x3 + ix];
                            s00 += g0 * v0; s01 += g0 * v1; s02 += g0 * v2; s03 += g0 * v3;
                            s10 += g1 * v0; s11 += g1 * v1; s12 += g1 * v2; s13 += g1 * v3;
                            s20 += g2 * v0; s21 += g2 * v1; s22 += g2 * v2; s23 += g2 * v3;
                            s30 += g3 * v0; s31 += g3 * v1; s32 += g3 * v2; s33 += g3 * v3;
                        }
                    }
                }
                int nCo = coLast - co0 + 1, nCi = ciLast - ci0 + 1;
                int at = k * wLen + (co0 * cinG + ib * 4) * taps + ky * s.KW + kx, coStride = cinG * taps;
                StoreLanes(gw, at, taps, nCi, s00, s01, s02, s03);
                if (nCo > 1) StoreLanes(gw, at + coStride, taps, nCi, s10, s11, s12, s13);
                if (nCo > 2) StoreLanes(gw, at + 2 * coStride, taps, nCi, s20, s21, s22, s23);
                if (nCo > 3) StoreLanes(gw, at + 3 * coStride, taps, nCi, s30, s31, s32, s33);
            }
    }

    /// <summary>Reads the conv dimensions off an input [.., Cin, H, W] / weight / output [.., Cout, OH, OW] triple and checks them.</summary>
    static ConvShape Geometry(string what, Tensor input, Tensor w, Tensor output, ConvGeometry g, bool checkBatch = true)
    {
        Require(w.Rank == 4, $"{what}: weight must be [Cout, Cin/groups, kh, kw], got {Tensor.Format(w.Shape)}");
        Require(input.Rank >= 4 && output.Rank >= 4, $"{what}: expected NCHW tensors, got {Tensor.Format(input.Shape)} and {Tensor.Format(output.Shape)}");
        Require(g.Groups >= 1 && g.StrideH >= 1 && g.StrideW >= 1 && g.PadH >= 0 && g.PadW >= 0, $"{what}: invalid geometry {g}");
        int cin = input.Shape[^3], h = input.Shape[^2], wd = input.Shape[^1];
        int cout = output.Shape[^3], oh = output.Shape[^2], ow = output.Shape[^1];
        int kh = w.Shape[2], kw = w.Shape[3];
        Require(cin % g.Groups == 0 && cout % g.Groups == 0, $"{what}: {cin} input and {cout} output channels do not split into {g.Groups} groups");
        Require(w.Shape[0] == cout && w.Shape[1] * g.Groups == cin,
            $"{what}: weight {Tensor.Format(w.Shape)} does not map {cin} to {cout} channels in {g.Groups} groups");
        Require(oh == (h + 2 * g.PadH - kh) / g.StrideH + 1 && ow == (wd + 2 * g.PadW - kw) / g.StrideW + 1 && oh > 0 && ow > 0
                && h + 2 * g.PadH >= kh && wd + 2 * g.PadW >= kw,
            $"{what}: output {Tensor.Format(output.Shape)} does not match input {Tensor.Format(input.Shape)} with kernel {kh}x{kw}, {g}");
        int inImages = input.Length / (cin * h * wd), outImages = output.Length / (cout * oh * ow);
        if (checkBatch) Require(inImages == outImages, $"{what}: input holds {inImages} images, output {outImages}");
        return new ConvShape(outImages, cin, h, wd, cout, oh, ow, kh, kw, g, 0, inImages, outImages);
    }

    // Two launches on this path (a fused epilogue is a GPU-kernel task of its own).
    public void Conv2dActivation(Tensor x, Tensor w, Tensor? bias, Tensor y, Tensor activated, ConvGeometry g, UnaryOp act)
    {
        SameLength(y, activated, "conv2d + activation");
        Require(act != UnaryOp.Scale, "conv2d + activation: Scale is not an activation");
        Pointwise.Check(act);
        Conv2d(x, w, bias, y, g);
        Unary(act, y, activated);
    }

    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        var s = Geometry("conv2d", x, w, y, g);
        if (bias != null) Require(bias.Length == s.Cout, $"conv2d: bias of {bias.Length} elements for {s.Cout} channels");
        int items = s.Batch * s.Groups * ((s.Cout / s.Groups + TileC - 1) / TileC) * s.OH * ((s.OW + TileP - 1) / TileP);
        var (threads, work) = Plan(items);
        if (threads == 0) return;
        _conv2d ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, ConvShape>(Conv2dKernel);
        // Without a bias the kernel never reads it; the weight stands in for the view.
        _conv2d(threads, work, x.View, w.View, (bias ?? w).View, bias != null ? 1 : 0, y.View, s);
    }

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
    {
        var s = Geometry("conv2d backward input", gx, w, gy, g);
        int items = s.Batch * s.Groups * ((s.Cin / s.Groups + TileC - 1) / TileC) * s.H * ((s.W + TileP - 1) / TileP);
        var (threads, work) = Plan(items);
        if (threads == 0) return;
        _conv2dBackwardInput ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(Conv2dBackwardInputKernel);
        _conv2dBackwardInput(threads, work, gy.View, w.View, gx.View, s);
    }

    public void Conv2dBackwardWeight(Tensor x, Tensor gy, Tensor gw, ConvGeometry g)
    {
        Require(gw.Rank == 5, $"conv2d backward weight: gradient must be [K, Cout, Cin/groups, kh, kw], got {Tensor.Format(gw.Shape)}");
        using var w = gw.Slice(0, gw.Shape[1..]);
        var s = Geometry("conv2d backward weight", x, w, gy, g, checkBatch: false);
        // The smaller batch is N (shared by all targets); equal batches are both K·N (or N with K = 1).
        int k = gw.Shape[0], n = s.InBatch == s.OutBatch ? s.InBatch / Math.Max(1, k) : Math.Min(s.InBatch, s.OutBatch);
        Require(k >= 1 && n >= 1 && (s.InBatch == n || s.InBatch == k * n) && (s.OutBatch == n || s.OutBatch == k * n),
            $"conv2d backward weight: {s.InBatch} input and {s.OutBatch} output-gradient images are not N and K·N for K = {k}");
        s = new ConvShape(k * n, s.Cin, s.H, s.W, s.Cout, s.OH, s.OW, s.KH, s.KW, g, n, s.InBatch, s.OutBatch);
        int items = k * s.Groups * ((s.Cout / s.Groups + 3) / 4) * ((s.Cin / s.Groups + 3) / 4) * s.KH * s.KW;
        var (threads, work) = Plan(items);
        if (threads == 0) return;
        _conv2dBackwardWeight ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(Conv2dBackwardWeightKernel);
        _conv2dBackwardWeight(threads, work, x.View, gy.View, gw.View, s);
    }
}
