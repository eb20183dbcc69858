using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeCam.Tensors;

/// <summary>
/// A rectangle of output pixels of one image: rows [Row, Row + Rows), columns [Col, Col + Cols). Its pixels are
/// numbered row-major from 0 (pixel q is at row Row + q / Cols, column Col + q % Cols); a whole image is
/// (0, 0, OH, OW), whose numbering is the plane's own. Rows = 0 is the empty box (an all-zero gradient).
/// </summary>
internal readonly record struct PixelBox(int Row, int Col, int Rows, int Cols)
{
    public int Pixels => Rows * Cols;

    public bool IsEmpty => Rows == 0;
}

/// <summary>
/// The data movement around a convolution's GEMMs. Im2col lays the input windows of a run of output pixels out
/// as a panel [channels·kh·kw, pixels] (row (c, ky, kx) holds x[c, oy·sh − ph + ky, ox·sw − pw + kx] per pixel,
/// zero in the padding) so that conv = W · panel; col2im adds such a panel back onto the input positions it came
/// from (the input gradient). Plus the small vector loops they need and the nonzero-box scan of sparse gradients.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// Fills panel rows r = (c·kh + ky)·kw + kx for r in [row0, row1) (stored from row 0, row stride ld) with the
    /// windows of pixels [q0, q1) of <paramref name="box"/>; <paramref name="x"/> is the group's first input plane [H, W].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(float* panel, long ld, float* x, int row0, int row1, in ConvDims s, PixelBox box, int q0, int q1)
    {
        long plane = (long)s.H * s.W;
        for (int r = row0; r < row1; r++)
        {
            int c = r / s.Taps, ky = r / s.KW % s.KH, kx = r % s.KW;
            float* dst = panel + (r - row0) * ld;
            var (lo, hi) = InsideColumns(s, kx);
            for (int q = q0; q < q1;)
            {
                int oy = box.Row + q / box.Cols, ox = box.Col + q % box.Cols;
                int len = Math.Min(box.Cols - q % box.Cols, q1 - q);
                int iy = oy * s.SH - s.PH + ky;
                if ((uint)iy >= (uint)s.H) Clear(dst, len);
                else
                {
                    // Output columns [a, b) of this run read inside the row; the rest read the zero padding.
                    int a = Math.Clamp(lo, ox, ox + len), b = Math.Clamp(hi, a, ox + len);
                    Clear(dst, a - ox);
                    CopyStrided(dst + (a - ox), x + c * plane + (long)iy * s.W + (a * s.SW - s.PW + kx), b - a, s.SW);
                    Clear(dst + (b - ox), ox + len - b);
                }
                dst += len;
                q += len;
            }
        }
    }

    /// <summary>
    /// The inverse data movement of <see cref="Gather"/>: adds every value of panel rows (c, ky, kx) for pixels
    /// [q0, q1) of <paramref name="box"/> onto the input position it would have been read from (positions in the
    /// padding are dropped). <paramref name="gx"/> is the first of the channel planes [H, W] to add to.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(float* panel, long ld, float* gx, int channels, in ConvDims s, PixelBox box, int q0, int q1)
    {
        long plane = (long)s.H * s.W;
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < s.KH; ky++)
                for (int kx = 0; kx < s.KW; kx++)
                {
                    float* src = panel + ((c * s.KH + ky) * s.KW + kx) * ld;
                    var (lo, hi) = InsideColumns(s, kx);
                    for (int q = q0; q < q1;)
                    {
                        int oy = box.Row + q / box.Cols, ox = box.Col + q % box.Cols;
                        int len = Math.Min(box.Cols - q % box.Cols, q1 - q);
                        int iy = oy * s.SH - s.PH + ky;
                        if ((uint)iy < (uint)s.H)
                        {
                            int a = Math.Clamp(lo, ox, ox + len), b = Math.Clamp(hi, a, ox + len);
                            AddStrided(gx + c * plane + (long)iy * s.W + (a * s.SW - s.PW + kx), src + (a - ox), b - a, s.SW);
                        }
                        src += len;
                        q += len;
                    }
                }
    }

    /// <summary>The output columns [lo, hi) whose tap kx reads inside the row: 0 ≤ ox·sw − pw + kx &lt; W.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (int Lo, int Hi) InsideColumns(in ConvDims s, int kx)
    {
        int lead = s.PW - kx, trail = s.W - 1 + s.PW - kx;
        int lo = lead > 0 ? (lead + s.SW - 1) / s.SW : 0;
        int hi = trail < 0 ? 0 : trail / s.SW + 1;
        return (lo, Math.Max(lo, hi));
    }

    /// <summary>Copies pixels [q0, q1) of <paramref name="box"/> of channel planes [OH, OW] into rows of a dense [channels, q1 − q0] block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBox(float* dst, float* planes, int channels, int rows, int cols, PixelBox box, int q0, int q1)
    {
        long n = q1 - q0, plane = (long)rows * cols;
        for (int c = 0; c < channels; c++)
        {
            float* d = dst + c * n;
            for (int q = q0; q < q1;)
            {
                int oy = box.Row + q / box.Cols, ox = box.Col + q % box.Cols;
                int len = Math.Min(box.Cols - q % box.Cols, q1 - q);
                new ReadOnlySpan<float>(planes + c * plane + (long)oy * cols + ox, len).CopyTo(new Span<float>(d, len));
                d += len;
                q += len;
            }
        }
    }

    // ---- Nonzero boxes of sparse gradients ----

    /// <summary>
    /// The smallest box holding every nonzero (or NaN) value of <paramref name="channels"/> planes [rows, cols];
    /// empty when all are zero. Reads each value at most once, and once a row range and column range are known,
    /// only the parts of later rows that could widen them (so a dense gradient costs a few loads per row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PixelBox NonzeroBox(float* planes, int channels, int rows, int cols)
    {
        int r0 = rows, r1 = -1, c0 = cols, c1 = -1;
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < rows; r++)
            {
                float* row = planes + ((long)c * rows + r) * cols;
                if (r >= r0 && r <= r1)
                {
                    // Inside the known rows: only columns left of c0 or right of c1 can widen the box.
                    int f = FirstNonzero(row, 0, c0);
                    if (f >= 0) c0 = f;
                    int l = LastNonzero(row, c1 + 1, cols);
                    if (l >= 0) c1 = l;
                    continue;
                }
                int first = FirstNonzero(row, 0, cols);
                if (first < 0) continue;
                r0 = Math.Min(r0, r);
                r1 = Math.Max(r1, r);
                c0 = Math.Min(c0, first);
                c1 = Math.Max(c1, Math.Max(first, LastNonzero(row, Math.Max(first, c1) + 1, cols)));
            }
        return r1 < 0 ? default : new PixelBox(r0, c0, r1 - r0 + 1, c1 - c0 + 1);
    }

    /// <summary>Index of the first value in row[from..to) that is not zero (NaN counts as nonzero), or −1.</summary>
    static int FirstNonzero(float* row, int from, int to)
    {
        int i = from;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= to; i += 16)
            {
                ulong nz = ~Vector512.Equals(Vector512.Load(row + i), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                if (nz != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(nz);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= to; i += 8)
            {
                uint nz = ~Vector256.Equals(Vector256.Load(row + i), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                if (nz != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(nz);
            }
        for (; i < to; i++)
            if (row[i] != 0f) return i;
        return -1;
    }

    /// <summary>Index of the last value in row[from..to) that is not zero (NaN counts as nonzero), or −1.</summary>
    static int LastNonzero(float* row, int from, int to)
    {
        int i = to;
        if (Vector512.IsHardwareAccelerated)
            for (; i - 16 >= from; i -= 16)
            {
                ulong nz = ~Vector512.Equals(Vector512.Load(row + i - 16), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                if (nz != 0) return i - 16 + 63 - System.Numerics.BitOperations.LeadingZeroCount(nz);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i - 8 >= from; i -= 8)
            {
                uint nz = ~Vector256.Equals(Vector256.Load(row + i - 8), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                if (nz != 0) return i - 8 + 31 - System.Numerics.BitOperations.LeadingZeroCount(nz);
            }
        for (i--; i >= from; i--)
            if (row[i] != 0f) return i;
        return -1;
    }

    // ---- Vector loops ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(float* p, int n)
    {
        if (n > 0) new Span<float>(p, n).Clear();
    }

    /// <summary>dst[i] = src[i·stride] for i &lt; n. Stride 1 is a memmove; stride 2 (the downsampling convs) picks
    /// the even lanes of two vectors with one permute; other strides are scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyStrided(float* dst, float* src, int n, int stride)
    {
        if (n <= 0) return;
        if (stride == 1)
        {
            new ReadOnlySpan<float>(src, n).CopyTo(new Span<float>(dst, n));
            return;
        }
        int i = 0;
        if (stride == 2 && Avx512F.IsSupported)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            // i + 16 < n keeps the last load (up to src[2i + 31]) inside the run, which ends at src[2(n − 1)].
            for (; i + 16 < n; i += 16)
                Vector512.Store(Avx512F.PermuteVar16x32x2(Vector512.Load(src + 2 * i), even, Vector512.Load(src + 2 * i + 16)), dst + i);
        }
        for (; i < n; i++) dst[i] = src[(long)i * stride];
    }

    /// <summary>dst[i·stride] += src[i] for i &lt; n; touches no other element of dst (callers own only those).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddStrided(float* dst, float* src, int n, int stride)
    {
        if (n <= 0) return;
        int i = 0;
        if (stride == 1)
        {
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= n; i += 16)
                    Vector512.Store(Vector512.Load(dst + i) + Vector512.Load(src + i), dst + i);
            else if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= n; i += 8)
                    Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
            for (; i < n; i++) dst[i] += src[i];
            return;
        }
        if (stride == 2 && Avx512F.IsSupported)
        {
            // Spread 16 values over the even lanes of two vectors (odd lanes add +0: the row is this caller's, and
            // i + 16 < n keeps the odd lane after the last even one inside the run).
            var lo = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);
            var hi = Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16);
            for (; i + 16 < n; i += 16)
            {
                var v = Vector512.Load(src + i);
                float* d = dst + 2 * i;
                Vector512.Store(Vector512.Load(d) + Avx512F.PermuteVar16x32x2(v, lo, Vector512<float>.Zero), d);
                Vector512.Store(Vector512.Load(d + 16) + Avx512F.PermuteVar16x32x2(v, hi, Vector512<float>.Zero), d + 16);
            }
        }
        for (; i < n; i++) dst[(long)i * stride] += src[i];
    }
}
