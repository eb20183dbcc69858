using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NativeCam.Tensors;

/// <summary>
/// Depth-wise convolutions (each output channel reads one input channel; <see cref="ConvDims.Depthwise"/>) as
/// direct vectorised loops: a GEMM with m = 1 would be all packing. The input plane is first copied into a
/// zero-padded "phase plane": each padded row split into its sw phases (columns r, r + sw, r + 2sw, ...), so
/// that tap kx of output column ox is element ox + kx/sw of phase kx mod sw — every tap, at every stride, is a
/// contiguous run with no bounds checks. One task per (image, group): it owns its output planes.
/// </summary>
internal static unsafe class ConvDepthwise
{
    /// <summary>Length of one phase row: the padded row (W + 2pw) split into sw phases.</summary>
    static int PhaseLength(in ConvDims s) => (s.W + 2 * s.PW + s.SW - 1) / s.SW;

    /// <summary>Floats of a phase plane: H rows of sw phases.</summary>
    static long PhasePlane(in ConvDims s) => (long)s.H * s.SW * PhaseLength(s);

    /// <summary>Offset of tap kx inside a row's phases: phase kx mod sw, shifted by kx / sw.</summary>
    static int[] TapOffsets(in ConvDims s)
    {
        var offsets = new int[s.KW];
        for (int kx = 0; kx < s.KW; kx++) offsets[kx] = kx % s.SW * PhaseLength(s) + kx / s.SW;
        return offsets;
    }

    /// <summary>Writes the phase plane of input plane x [H, W] into p (padding zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BuildPhases(float* p, float* x, in ConvDims s)
    {
        int lp = PhaseLength(s);
        for (int iy = 0; iy < s.H; iy++)
            for (int r = 0; r < s.SW; r++)
            {
                float* row = p + ((long)iy * s.SW + r) * lp;
                // Phase element j is padded column j·sw + r, i.e. input column j·sw + r − pw.
                int lo = Math.Min(lp, s.PW > r ? (s.PW - r + s.SW - 1) / s.SW : 0);
                int hi = Math.Clamp(s.W - 1 + s.PW - r < 0 ? 0 : (s.W - 1 + s.PW - r) / s.SW + 1, lo, lp);
                Im2Col.Clear(row, lo);
                Im2Col.CopyStrided(row + lo, x + (long)iy * s.W + lo * s.SW + r - s.PW, hi - lo, s.SW);
                Im2Col.Clear(row + hi, lp - hi);
            }
    }

    public static void Forward(ConvDims s, float* x, float* w, float* bias, float* y)
    {
        nint px = (nint)x, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        int coutG = s.CoutG, lp = PhaseLength(s);
        var tapOffsets = TapOffsets(s);
        CpuParallel.For(s.OutImages * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, PhasePlane(s));
            for (int t = t0; t < t1; t++)
            {
                int b = t / s.Groups, gi = t % s.Groups;
                BuildPhases(p, (float*)px + ((long)b * s.Cin + gi) * s.InPlane, s);
                for (int m = 0; m < coutG; m++)
                {
                    int co = gi * coutG + m;
                    float* wc = (float*)pw + (long)co * s.Taps;
                    float bv = pb == 0 ? 0f : ((float*)pb)[co];
                    float* yc = (float*)py + ((long)b * s.Cout + co) * s.OutPlane;
                    for (int oy = 0; oy < s.OH; oy++)
                        ForwardRow(yc + (long)oy * s.OW, p, wc, bv, oy, tapOffsets, lp, s);
                }
            }
        });
    }

    /// <summary>One output row: each 16 (or 8) outputs keep their sum in a register over all taps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ForwardRow(float* yRow, float* p, float* wc, float bias, int oy, int[] tapOffsets, int lp, in ConvDims s)
    {
        int ox = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; ox + 16 <= s.OW; ox += 16)
            {
                var acc = Vector512.Create(bias);
                for (int ky = 0; ky < s.KH; ky++)
                {
                    int iy = oy * s.SH - s.PH + ky;
                    if ((uint)iy >= (uint)s.H) continue;
                    float* row = p + (long)iy * s.SW * lp + ox;
                    for (int kx = 0; kx < s.KW; kx++)
                        acc = Vector512.FusedMultiplyAdd(Vector512.Load(row + tapOffsets[kx]), Vector512.Create(wc[ky * s.KW + kx]), acc);
                }
                Vector512.Store(acc, yRow + ox);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; ox + 8 <= s.OW; ox += 8)
            {
                var acc = Vector256.Create(bias);
                for (int ky = 0; ky < s.KH; ky++)
                {
                    int iy = oy * s.SH - s.PH + ky;
                    if ((uint)iy >= (uint)s.H) continue;
                    float* row = p + (long)iy * s.SW * lp + ox;
                    for (int kx = 0; kx < s.KW; kx++)
                        acc = Vector256.FusedMultiplyAdd(Vector256.Load(row + tapOffsets[kx]), Vector256.Create(wc[ky * s.KW + kx]), acc);
                }
                Vector256.Store(acc, yRow + ox);
            }
        for (; ox < s.OW; ox++)
        {
            float acc = bias;
            for (int ky = 0; ky < s.KH; ky++)
            {
                int iy = oy * s.SH - s.PH + ky;
                if ((uint)iy >= (uint)s.H) continue;
                float* row = p + (long)iy * s.SW * lp + ox;
                for (int kx = 0; kx < s.KW; kx++) acc = MathF.FusedMultiplyAdd(row[tapOffsets[kx]], wc[ky * s.KW + kx], acc);
            }
            yRow[ox] = acc;
        }
    }

    /// <summary>
    /// Scatter form: every nonzero gradient pixel adds w·gy onto the phase plane of its window (only the nonzero
    /// box of the group's gradient is visited; an all-zero one just clears gx), then the phase plane is
    /// unfolded into gx.
    /// </summary>
    public static void BackwardInput(ConvDims s, float* gy, float* w, float* gx)
    {
        nint pgy = (nint)gy, pw = (nint)w, pgx = (nint)gx;
        int coutG = s.CoutG, lp = PhaseLength(s);
        var tapOffsets = TapOffsets(s);
        CpuParallel.For(s.OutImages * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, PhasePlane(s));
            for (int t = t0; t < t1; t++)
            {
                int b = t / s.Groups, gi = t % s.Groups;
                float* gyg = (float*)pgy + ((long)b * s.Cout + gi * coutG) * s.OutPlane;
                float* gxc = (float*)pgx + ((long)b * s.Cin + gi) * s.InPlane;
                var box = Im2Col.NonzeroBox(gyg, coutG, s.OH, s.OW);
                if (box.IsEmpty)
                {
                    Im2Col.Clear(gxc, s.InPlane);
                    continue;
                }
                Im2Col.Clear(p, (int)PhasePlane(s));
                for (int m = 0; m < coutG; m++)
                {
                    float* wc = (float*)pw + (long)(gi * coutG + m) * s.Taps;
                    for (int oy = box.Row; oy < box.Row + box.Rows; oy++)
                    {
                        float* gyRow = gyg + (long)m * s.OutPlane + (long)oy * s.OW + box.Col;
                        for (int ky = 0; ky < s.KH; ky++)
                        {
                            int iy = oy * s.SH - s.PH + ky;
                            if ((uint)iy >= (uint)s.H) continue;
                            float* row = p + (long)iy * s.SW * lp + box.Col;
                            for (int kx = 0; kx < s.KW; kx++) Axpy(row + tapOffsets[kx], gyRow, wc[ky * s.KW + kx], box.Cols);
                        }
                    }
                }
                // gx[iy, ix] is padded column ix + pw: phase (ix + pw) mod sw, element (ix + pw) / sw.
                for (int iy = 0; iy < s.H; iy++)
                {
                    float* row = p + (long)iy * s.SW * lp;
                    float* gxRow = gxc + (long)iy * s.W;
                    if (s.SW == 1) new ReadOnlySpan<float>(row + s.PW, s.W).CopyTo(new Span<float>(gxRow, s.W));
                    else
                        for (int ix = 0; ix < s.W; ix++) gxRow[ix] = row[(ix + s.PW) % s.SW * lp + (ix + s.PW) / s.SW];
                }
            }
        });
    }

    /// <summary>
    /// gw[k, co, ky, kx] = Σ over target k's images, rows and columns of the gradient's nonzero box of
    /// gy · (tap (ky, kx) of the phase plane): one vectorised dot product per tap and row. One task per (target, group).
    /// </summary>
    public static void BackwardWeight(ConvDims s, float* x, float* gy, float* gw, int targets, int perTarget)
    {
        nint px = (nint)x, pgy = (nint)gy, pgw = (nint)gw;
        int coutG = s.CoutG, lp = PhaseLength(s);
        var tapOffsets = TapOffsets(s);
        CpuParallel.For(targets * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, PhasePlane(s));
            for (int t = t0; t < t1; t++)
            {
                int k = t / s.Groups, gi = t % s.Groups;
                float* gwg = (float*)pgw + ((long)k * s.Cout + gi * coutG) * s.Taps;
                Im2Col.Clear(gwg, coutG * s.Taps);
                for (int q = 0; q < perTarget; q++)
                {
                    int image = k * perTarget + q, yi = image % s.OutImages, xi = image % s.InImages;
                    float* gyg = (float*)pgy + ((long)yi * s.Cout + gi * coutG) * s.OutPlane;
                    var box = Im2Col.NonzeroBox(gyg, coutG, s.OH, s.OW);
                    if (box.IsEmpty) continue;
                    BuildPhases(p, (float*)px + ((long)xi * s.Cin + gi) * s.InPlane, s);
                    for (int m = 0; m < coutG; m++)
                        for (int ky = 0; ky < s.KH; ky++)
                            for (int kx = 0; kx < s.KW; kx++)
                            {
                                float sum = 0f;
                                for (int oy = box.Row; oy < box.Row + box.Rows; oy++)
                                {
                                    int iy = oy * s.SH - s.PH + ky;
                                    if ((uint)iy >= (uint)s.H) continue;
                                    sum += Dot(gyg + (long)m * s.OutPlane + (long)oy * s.OW + box.Col,
                                        p + (long)iy * s.SW * lp + box.Col + tapOffsets[kx], box.Cols);
                                }
                                gwg[(long)m * s.Taps + ky * s.KW + kx] += sum;
                            }
                }
            }
        });
    }

    /// <summary>dst[i] += a·src[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    static void Axpy(float* dst, float* src, float a, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var av = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
                Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(src + i), av, Vector512.Load(dst + i)), dst + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var av = Vector256.Create(a);
            for (; i + 8 <= n; i += 8)
                Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(src + i), av, Vector256.Load(dst + i)), dst + i);
        }
        for (; i < n; i++) dst[i] = MathF.FusedMultiplyAdd(src[i], a, dst[i]);
    }

    /// <summary>Σ a[i]·b[i] for i &lt; n, in vector lanes, then summed across.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }
}
