using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

/// <summary>
/// Depth-wise convolutions (each output channel reads one input channel; <see cref="ConvDims.Depthwise"/>) as
/// direct vectorised loops: a GEMM with m = 1 would be all packing. The input plane is first copied into a
/// zero-padded "phase plane": each padded row split into its sw phases (columns r, r + sw, r + 2sw, ...), so
/// that tap kx of output column ox is element ox + kx/sw of phase kx mod sw — every tap, at every stride, is a
/// contiguous run with no bounds checks. One task per (image, group): it owns its output planes. The forward is
/// in ConvDepthwise.Forward.cs; every loop runs at the backend's vector width (or a narrower one that covers a
/// row in as few vectors, <see cref="RowWidth"/>).
/// </summary>
internal static unsafe partial class ConvDepthwise
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

    /// <summary>Writes the phase plane of input plane x [H, W] into p (padding zero; no padding rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BuildPhases(float* p, float* x, in ConvDims s)
    {
        int lp = PhaseLength(s);
        for (int iy = 0; iy < s.H; iy++) BuildPhaseRow(p + (long)iy * s.SW * lp, x + (long)iy * s.W, s, lp);
    }

    /// <summary>The sw phase rows (lp floats each) of input row x [W], zero where the padding is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BuildPhaseRow(float* p, float* x, in ConvDims s, int lp)
    {
        for (int r = 0; r < s.SW; r++)
        {
            float* row = p + (long)r * lp;
            // Phase element j is padded column j·sw + r, i.e. input column j·sw + r − pw.
            int lo = Math.Min(lp, s.PW > r ? (s.PW - r + s.SW - 1) / s.SW : 0);
            int hi = Math.Clamp(s.W - 1 + s.PW - r < 0 ? 0 : (s.W - 1 + s.PW - r) / s.SW + 1, lo, lp);
            Im2Col.Clear(row, lo);
            Im2Col.CopyStrided(row + lo, x + lo * s.SW + r - s.PW, hi - lo, s.SW);
            Im2Col.Clear(row + hi, lp - hi);
        }
    }

    /// <summary>
    /// Scatter form: every nonzero gradient pixel adds w·gy onto the phase plane of its window (only the nonzero
    /// box of the group's gradient is visited; an all-zero one just clears gx), then the phase plane is
    /// unfolded into gx.
    /// </summary>
    public static void BackwardInput(SimdWidth width, ConvDims s, float* gy, float* w, float* gx)
    {
        switch (RowWidth(width, s.OW))
        {
            case SimdWidth.Vector512: BackwardInput<V512>(s, gy, w, gx); break;
            case SimdWidth.Vector256: BackwardInput<V256>(s, gy, w, gx); break;
            case SimdWidth.Vector128: BackwardInput<V128>(s, gy, w, gx); break;
            default: BackwardInput<V1>(s, gy, w, gx); break;
        }
    }

    static void BackwardInput<V>(ConvDims s, float* gy, float* w, float* gx) where V : unmanaged, IVec<V>
    {
        nint pgy = (nint)gy, pw = (nint)w, pgx = (nint)gx;
        int coutG = s.CoutG, lp = PhaseLength(s);
        var tapOffsets = TapOffsets(s);
        // Stride 1, one output per group: gx is the correlation of gy, padded by k − 1 − p, with the flipped
        // kernel, i.e. the forward kernel on the transposed shape (a gather: no read-modify-write per tap). Used for
        // gradients that fill a good part of the plane; a CAM's small boxes keep the scatter, which visits the box only.
        var transposed = new ConvDims(s.OutImages, s.Cout, s.OH, s.OW, s.OutImages, s.Cin, s.H, s.W, s.KH, s.KW,
            new ConvGeometry(1, 1, s.KH - 1 - s.PH, s.KW - 1 - s.PW, s.Groups));
        var gather = s.SH == 1 && s.SW == 1 && coutG == 1 && s.PH < s.KH && s.PW < s.KW ? PlanFor<V>(transposed) : null;
        CpuParallel.For(s.OutImages * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, Math.Max(PhasePlane(s) + Slack, gather?.PlaneFloats ?? 0));
            float* gyPad = ConvScratch.Get(ConvScratch.Packed, s.OW + V.Count);
            float* flipped = stackalloc float[s.Taps];
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
                if (gather != null && 4L * box.Rows * box.Cols >= s.OutPlane)
                {
                    float* wc = (float*)pw + (long)gi * s.Taps;
                    for (int tap = 0; tap < s.Taps; tap++) flipped[tap] = wc[s.Taps - 1 - tap];
                    BuildPadded(p, gyg, transposed, gather.PhaseLength);
                    Plane<V>(p, flipped, 0f, gxc, gather);
                    continue;
                }
                Im2Col.Clear(p, (int)PhasePlane(s));
                var tail = TailMask<V>(box.Cols);
                for (int m = 0; m < coutG; m++)
                {
                    float* wc = (float*)pw + (long)(gi * coutG + m) * s.Taps;
                    for (int oy = box.Row; oy < box.Row + box.Rows; oy++)
                    {
                        int n = PadRow<V>(gyPad, gyg + (long)m * s.OutPlane + (long)oy * s.OW + box.Col, box.Cols);
                        for (int ky = 0; ky < s.KH; ky++)
                        {
                            int iy = oy * s.SH - s.PH + ky;
                            if ((uint)iy >= (uint)s.H) continue;
                            float* row = p + (long)iy * s.SW * lp + box.Col;
                            for (int kx = 0; kx < s.KW; kx++) Axpy(row + tapOffsets[kx], gyPad, wc[ky * s.KW + kx], n, tail);
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
                        for (int r = 0; r < s.SW; r++)
                        {
                            // phase r, element j is padded column j·sw + r: input column j·sw + r − pw
                            float* phase = row + (long)r * lp;
                            int j = s.PW > r ? (s.PW - r + s.SW - 1) / s.SW : 0;
                            for (int ix = j * s.SW + r - s.PW; ix < s.W; ix += s.SW, j++) gxRow[ix] = phase[j];
                        }
                }
            }
        });
    }

    /// <summary>
    /// gw[k, co, ky, kx] = Σ over target k's images, rows and columns of the gradient's nonzero box of
    /// gy · (tap (ky, kx) of the phase plane): one vectorised dot product per tap and row. One task per (target, group).
    /// </summary>
    public static void BackwardWeight(SimdWidth width, ConvDims s, float* x, float* gy, float* gw, int targets, int perTarget)
    {
        switch (RowWidth(width, s.OW))
        {
            case SimdWidth.Vector512: BackwardWeight<V512>(s, x, gy, gw, targets, perTarget); break;
            case SimdWidth.Vector256: BackwardWeight<V256>(s, x, gy, gw, targets, perTarget); break;
            case SimdWidth.Vector128: BackwardWeight<V128>(s, x, gy, gw, targets, perTarget); break;
            default: BackwardWeight<V1>(s, x, gy, gw, targets, perTarget); break;
        }
    }

    static void BackwardWeight<V>(ConvDims s, float* x, float* gy, float* gw, int targets, int perTarget) where V : unmanaged, IVec<V>
    {
        nint px = (nint)x, pgy = (nint)gy, pgw = (nint)gw;
        int coutG = s.CoutG, lp = PhaseLength(s);
        var tapOffsets = TapOffsets(s);
        CpuParallel.For(targets * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, PhasePlane(s) + Slack);
            float* gyPad = ConvScratch.Get(ConvScratch.Packed, s.OW + V.Count);
            V* acc = stackalloc V[s.Taps];
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
                    var tail = TailMask<V>(box.Cols);
                    for (int m = 0; m < coutG; m++)
                    {
                        // One vector sum per tap over the whole box, reduced across lanes once at the end.
                        for (int tap = 0; tap < s.Taps; tap++) acc[tap] = V.Splat(0f);
                        for (int oy = box.Row; oy < box.Row + box.Rows; oy++)
                        {
                            int n = PadRow<V>(gyPad, gyg + (long)m * s.OutPlane + (long)oy * s.OW + box.Col, box.Cols);
                            for (int ky = 0; ky < s.KH; ky++)
                            {
                                int iy = oy * s.SH - s.PH + ky;
                                if ((uint)iy >= (uint)s.H) continue;
                                float* row = p + (long)iy * s.SW * lp + box.Col;
                                for (int kx = 0; kx < s.KW; kx++)
                                    acc[ky * s.KW + kx] = DotInto(acc[ky * s.KW + kx], gyPad, row + tapOffsets[kx], n, tail);
                            }
                        }
                        for (int tap = 0; tap < s.Taps; tap++) gwg[(long)m * s.Taps + tap] += V.Sum(acc[tap]);
                    }
                }
            }
        });
    }

    /// <summary>Copies n floats of a gradient row into dst, zero up to a whole number of vectors; returns that length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int PadRow<V>(float* dst, float* src, int n) where V : unmanaged, IVec<V>
    {
        int padded = (n + V.Count - 1) / V.Count * V.Count;
        Buffer.MemoryCopy(src, dst, (long)n * sizeof(float), (long)n * sizeof(float));
        Im2Col.Clear(dst + n, padded - n);
        return padded;
    }

    /// <summary>The lanes of a padded row's last vector that hold the row's first <paramref name="n"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V TailMask<V>(int n) where V : unmanaged, IVec<V> => V.Less(V.Lanes, V.Splat(n - (n - 1) / V.Count * V.Count));

    /// <summary>dst[i] += a·src[i] over n (a whole number of vectors) floats; the last vector only changes the lanes of
    /// <paramref name="tail"/> (the rest of dst, past the row, keeps its value whatever a is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    static void Axpy<V>(float* dst, float* src, float a, int n, V tail) where V : unmanaged, IVec<V>
    {
        var av = V.Splat(a);
        int i = 0, c = V.Count;
        for (; i < n - c; i += c) V.Store(V.Fma(V.Load(src + i), av, V.Load(dst + i)), dst + i);
        var d = V.Load(dst + i);
        V.Store(V.Select(tail, V.Fma(V.Load(src + i), av, d), d), dst + i);
    }

    /// <summary>acc + a[i]·b[i] lane-wise over n (a whole number of vectors) floats of a zero-padded a; b's lanes
    /// outside <paramref name="tail"/> in the last vector (past the row: any value, ±∞ or NaN too) count as zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    static V DotInto<V>(V acc, float* a, float* b, int n, V tail) where V : unmanaged, IVec<V>
    {
        int i = 0, c = V.Count;
        for (; i < n - c; i += c) acc = V.Fma(V.Load(a + i), V.Load(b + i), acc);
        return V.Fma(V.Load(a + i), V.Select(tail, V.Load(b + i), V.Splat(0f)), acc);
    }
}
