using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeCam.Tensors;

// Packing: copies a block of A or B, read through any strides, into the order the micro-kernel walks it
// (Ā sliver: for each K step the MR values of a column of A; B̄ sliver: for each K step the NR values of a row
// of B), so that the kernel's loads are unit-stride and aligned whatever the operands' layouts. This is where
// transposed operands stop costing anything. Slivers past the edge of the matrix are padded with zeros, so
// the kernel always computes a full tile and only the store looks at the edge.
internal static unsafe partial class Sgemm
{
    /// <summary>
    /// dst[p·MR + r] = A[r, p] for r &lt; rows, p &lt; kc (0 for rows ≤ r &lt; MR), A[r, p] being a[r·aRow + p·aCol].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackA<TKernel>(float* a, long aRow, long aCol, int rows, int kc, float* dst) where TKernel : IMicroKernel
    {
        int mr = TKernel.MR;
        if (aRow == 1 && rows == mr)
        {
            // Columns of A are contiguous (A is a transposed view): one MR-float copy per K step.
            for (int p = 0; p < kc; p++) CopyRow(a + p * aCol, dst + p * mr, mr);
            return;
        }
        if (aCol == 1 && rows == mr && mr == 8 && Avx.IsSupported)
        {
            PackTransposed8(a, aRow, kc, dst);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float* src = a + r * aRow;
            for (int p = 0; p < kc; p++) dst[p * mr + r] = src[p * aCol];
        }
        for (int r = rows; r < mr; r++)
            for (int p = 0; p < kc; p++) dst[p * mr + r] = 0f;
    }

    /// <summary>
    /// dst[p·NR + j] = B[p, j] for j &lt; cols, p &lt; kc (0 for cols ≤ j &lt; NR), B[p, j] being b[p·bRow + j·bCol].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackB<TKernel>(float* b, long bRow, long bCol, int cols, int kc, float* dst) where TKernel : IMicroKernel
    {
        int nr = TKernel.NR;
        if (bCol == 1 && cols == nr)
        {
            // Rows of B are contiguous (the usual layout): one NR-float copy per K step.
            for (int p = 0; p < kc; p++) CopyRow(b + p * bRow, dst + p * nr, nr);
            return;
        }
        if (bRow == 1 && nr % 16 == 0 && Avx512F.IsSupported)
        {
            // Columns of B are contiguous (x @ Wᵀ, or colᵀ): transpose 16×16 blocks in registers.
            PackTransposed16(b, bCol, cols, kc, dst, nr);
            return;
        }
        for (int p = 0; p < kc; p++)
        {
            float* src = b + p * bRow, row = dst + p * nr;
            int j = 0;
            if (bCol == 1)
                for (; j < cols; j++) row[j] = src[j];
            else
                for (; j < cols; j++) row[j] = src[j * bCol];
            for (; j < nr; j++) row[j] = 0f;
        }
    }

    /// <summary>
    /// A kc×nc block of B into nc/NR slivers (sliver s at dst + s·NR·kc). With contiguous rows, B is read row
    /// by row across all the slivers (long sequential runs the prefetchers follow); otherwise sliver by sliver.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackPanel<TKernel>(float* b, long bRow, long bCol, int nc, int kc, float* dst) where TKernel : IMicroKernel
    {
        int nr = TKernel.NR, full = nc / nr, done = 0;
        if (bCol == 1 && full > 1)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = b + p * bRow, d = dst + p * nr;
                for (int s = 0; s < full; s++) CopyRow(src + s * nr, d + (long)s * nr * kc, nr);
            }
            done = full * nr;
        }
        for (int j = done; j < nc; j += nr)
            PackB<TKernel>(b + j * bCol, bRow, bCol, Math.Min(nr, nc - j), kc, dst + (long)j * kc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyRow(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// An 8-row sliver of a row-major A (rows contiguous along K): 8×8 blocks transposed in ymm registers,
    /// scalar for the last kc mod 8 steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackTransposed8(float* a, long aRow, int kc, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            var r0 = Vector256.Load(a + p);
            var r1 = Vector256.Load(a + aRow + p);
            var r2 = Vector256.Load(a + 2 * aRow + p);
            var r3 = Vector256.Load(a + 3 * aRow + p);
            var r4 = Vector256.Load(a + 4 * aRow + p);
            var r5 = Vector256.Load(a + 5 * aRow + p);
            var r6 = Vector256.Load(a + 6 * aRow + p);
            var r7 = Vector256.Load(a + 7 * aRow + p);
            Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            float* d = dst + p * 8;
            Vector256.Store(r0, d);
            Vector256.Store(r1, d + 8);
            Vector256.Store(r2, d + 16);
            Vector256.Store(r3, d + 24);
            Vector256.Store(r4, d + 32);
            Vector256.Store(r5, d + 40);
            Vector256.Store(r6, d + 48);
            Vector256.Store(r7, d + 56);
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) dst[p * 8 + r] = a[r * aRow + p];
    }

    /// <summary>
    /// A B̄ sliver from a B whose columns are contiguous (B[p, j] = b[p + j·bCol]): 16×16 blocks are loaded
    /// as 16 columns of 16 K steps and transposed in zmm registers; the last kc mod 16 steps and missing
    /// columns are done element by element (zeros past <paramref name="cols"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackTransposed16(float* b, long bCol, int cols, int kc, float* dst, int nr)
    {
        int p = 0;
        for (; p + 16 <= kc; p += 16)
        {
            int j = 0;
            for (; j + 16 <= cols; j += 16)
                Transpose16(b + p + j * bCol, bCol, dst + p * nr + j, nr);
            for (; j < nr; j++)
            {
                float* src = b + p + j * bCol;
                for (int q = 0; q < 16; q++) dst[(p + q) * nr + j] = j < cols ? src[q] : 0f;
            }
        }
        for (; p < kc; p++)
            for (int j = 0; j < nr; j++) dst[p * nr + j] = j < cols ? b[p + j * bCol] : 0f;
    }

    /// <summary>
    /// dst[q·dstRow + j] = src[q + j·srcCol] for q, j &lt; 16: 16 row loads, four rounds of two-source permutes
    /// (64 vpermt2ps), 16 row stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Transpose16(float* src, long srcCol, float* dst, int dstRow)
    {
        // Round 1..4 interleave at distance 1, 2, 4, 8 lanes; the index vectors pick lanes from (x, y).
        var r0 = Vector512.Load(src);
        var r1 = Vector512.Load(src + srcCol);
        var r2 = Vector512.Load(src + 2 * srcCol);
        var r3 = Vector512.Load(src + 3 * srcCol);
        var r4 = Vector512.Load(src + 4 * srcCol);
        var r5 = Vector512.Load(src + 5 * srcCol);
        var r6 = Vector512.Load(src + 6 * srcCol);
        var r7 = Vector512.Load(src + 7 * srcCol);
        var r8 = Vector512.Load(src + 8 * srcCol);
        var r9 = Vector512.Load(src + 9 * srcCol);
        var ra = Vector512.Load(src + 10 * srcCol);
        var rb = Vector512.Load(src + 11 * srcCol);
        var rc = Vector512.Load(src + 12 * srcCol);
        var rd = Vector512.Load(src + 13 * srcCol);
        var re = Vector512.Load(src + 14 * srcCol);
        var rf = Vector512.Load(src + 15 * srcCol);
        // Element (row i, lane l) holds M[l][i] where M is the 16×16 block dst wants: after the transpose,
        // vector q holds lane j = src[q + j·srcCol].
        Transpose16Regs(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7,
            ref r8, ref r9, ref ra, ref rb, ref rc, ref rd, ref re, ref rf);
        Vector512.Store(r0, dst);
        Vector512.Store(r1, dst + dstRow);
        Vector512.Store(r2, dst + 2 * dstRow);
        Vector512.Store(r3, dst + 3 * dstRow);
        Vector512.Store(r4, dst + 4 * dstRow);
        Vector512.Store(r5, dst + 5 * dstRow);
        Vector512.Store(r6, dst + 6 * dstRow);
        Vector512.Store(r7, dst + 7 * dstRow);
        Vector512.Store(r8, dst + 8 * dstRow);
        Vector512.Store(r9, dst + 9 * dstRow);
        Vector512.Store(ra, dst + 10 * dstRow);
        Vector512.Store(rb, dst + 11 * dstRow);
        Vector512.Store(rc, dst + 12 * dstRow);
        Vector512.Store(rd, dst + 13 * dstRow);
        Vector512.Store(re, dst + 14 * dstRow);
        Vector512.Store(rf, dst + 15 * dstRow);
    }

    /// <summary>The classic AVX 8×8 transpose: unpack pairs, shuffle quads, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>
    /// Transposes 16 zmm rows (row i, lane l) in four rounds; the round for bit s swaps bit s of the row index
    /// with bit s of the lane index (rows i and i+s exchange the off-diagonal s-wide lane groups), and the four
    /// swaps together exchange row and lane. Each round is 16 two-source permutes (vpermt2ps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose16Regs(ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3,
        ref Vector512<float> r4, ref Vector512<float> r5, ref Vector512<float> r6, ref Vector512<float> r7,
        ref Vector512<float> r8, ref Vector512<float> r9, ref Vector512<float> ra, ref Vector512<float> rb,
        ref Vector512<float> rc, ref Vector512<float> rd, ref Vector512<float> re, ref Vector512<float> rf)
    {
        // lo[l] = bit s of l clear ? x[l] : y[l − s];  hi[l] = bit s of l clear ? x[l + s] : y[l]  (y is index + 16).
        var lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        var hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        Swap(ref r0, ref r8, lo8, hi8); Swap(ref r1, ref r9, lo8, hi8); Swap(ref r2, ref ra, lo8, hi8); Swap(ref r3, ref rb, lo8, hi8);
        Swap(ref r4, ref rc, lo8, hi8); Swap(ref r5, ref rd, lo8, hi8); Swap(ref r6, ref re, lo8, hi8); Swap(ref r7, ref rf, lo8, hi8);
        var lo4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
        var hi4 = Vector512.Create(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
        Swap(ref r0, ref r4, lo4, hi4); Swap(ref r1, ref r5, lo4, hi4); Swap(ref r2, ref r6, lo4, hi4); Swap(ref r3, ref r7, lo4, hi4);
        Swap(ref r8, ref rc, lo4, hi4); Swap(ref r9, ref rd, lo4, hi4); Swap(ref ra, ref re, lo4, hi4); Swap(ref rb, ref rf, lo4, hi4);
        var lo2 = Vector512.Create(0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
        var hi2 = Vector512.Create(2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
        Swap(ref r0, ref r2, lo2, hi2); Swap(ref r1, ref r3, lo2, hi2); Swap(ref r4, ref r6, lo2, hi2); Swap(ref r5, ref r7, lo2, hi2);
        Swap(ref r8, ref ra, lo2, hi2); Swap(ref r9, ref rb, lo2, hi2); Swap(ref rc, ref re, lo2, hi2); Swap(ref rd, ref rf, lo2, hi2);
        var lo1 = Vector512.Create(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
        var hi1 = Vector512.Create(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
        Swap(ref r0, ref r1, lo1, hi1); Swap(ref r2, ref r3, lo1, hi1); Swap(ref r4, ref r5, lo1, hi1); Swap(ref r6, ref r7, lo1, hi1);
        Swap(ref r8, ref r9, lo1, hi1); Swap(ref ra, ref rb, lo1, hi1); Swap(ref rc, ref rd, lo1, hi1); Swap(ref re, ref rf, lo1, hi1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Swap(ref Vector512<float> x, ref Vector512<float> y, Vector512<int> lo, Vector512<int> hi)
    {
        var l = Avx512F.PermuteVar16x32x2(x, lo, y);
        y = Avx512F.PermuteVar16x32x2(x, hi, y);
        x = l;
    }
}
