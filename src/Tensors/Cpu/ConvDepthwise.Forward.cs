using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// The depth-wise forward as a direct SIMD kernel, vectorised along the output row (NCHW: a channel's plane is
// its own small image). Each input plane is copied once into a padded phase plane: PH zero rows above and below,
// and every padded row split into its sw column phases (as in ConvDepthwise.cs), so that tap (ky, kx) of the
// output run starting at (oy, ox) is one contiguous vector at a fixed offset from oy·sh·sw·lp + ox. No bounds
// checks, no border cases, the same code for every stride and kernel size.
//
// A "unit" is one vector of outputs: rows are cut in vectors, the last one shifted left to end on the row's end
// (it recomputes a few outputs with the same result), or, for rows narrower than the vector, one partial vector
// (see Put). Four units are computed together: four independent FMA chains hide the FMA latency and
// share each broadcast weight, and units run on across row ends, so 7- and 14-pixel planes use them as well as
// 112-pixel ones. The vector width is the one that covers a row in the fewest vectors (7-pixel rows run 8 wide
// instead of wasting 9 of 16 lanes).
internal static unsafe partial class ConvDepthwise
{
    /// <summary>Floats read past the last phase row by a partial vector (at most one vector's lanes).</summary>
    const int Slack = 64;

    public static void Forward(SimdWidth width, ConvDims s, float* x, float* w, float* bias, float* y)
    {
        switch (RowWidth(width, s.OW))
        {
            case SimdWidth.Vector512: Forward<V512>(s, x, w, bias, y); break;
            case SimdWidth.Vector256: Forward<V256>(s, x, w, bias, y); break;
            case SimdWidth.Vector128: Forward<V128>(s, x, w, bias, y); break;
            default: Forward<V1>(s, x, w, bias, y); break;
        }
    }

    /// <summary>The narrowest width, up to <paramref name="widest"/>, that covers a row of <paramref name="ow"/>
    /// outputs in as few vectors as the widest does.</summary>
    internal static SimdWidth RowWidth(SimdWidth widest, int ow)
    {
        widest = Simd.Resolve(widest);
        if (widest == SimdWidth.Scalar) return widest;
        int Lanes(SimdWidth x) => x switch { SimdWidth.Vector512 => 16, SimdWidth.Vector256 => 8, _ => 4 };
        int fewest = (ow + Lanes(widest) - 1) / Lanes(widest);
        var best = widest;
        foreach (var narrower in new[] { SimdWidth.Vector256, SimdWidth.Vector128 })
            if (Lanes(narrower) < Lanes(best) && (ow + Lanes(narrower) - 1) / Lanes(narrower) == fewest) best = narrower;
        return best;
    }

    /// <summary>Rows of the padded phase plane: PH zero rows, the H input rows, PH zero rows.</summary>
    static int PaddedRows(in ConvDims s) => s.H + 2 * s.PH;

    static void Forward<V>(ConvDims s, float* x, float* w, float* bias, float* y) where V : unmanaged, IVec<V>
    {
        nint px = (nint)x, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        var plan = PlanFor<V>(s);
        int coutG = s.CoutG;
        CpuParallel.For(s.OutImages * s.Groups, 1, (t0, t1) =>
        {
            float* p = ConvScratch.Get(ConvScratch.Plane, plan.PlaneFloats);
            for (int t = t0; t < t1; t++)
            {
                int b = t / s.Groups, gi = t % s.Groups;
                BuildPadded(p, (float*)px + ((long)b * s.Cin + gi) * s.InPlane, s, plan.PhaseLength);
                for (int m = 0; m < coutG; m++)
                {
                    int co = gi * coutG + m;
                    float bv = pb == 0 ? 0f : ((float*)pb)[co];
                    Plane<V>(p, (float*)pw + (long)co * s.Taps, bv, (float*)py + ((long)b * s.Cout + co) * s.OutPlane, plan);
                }
            }
        });
    }

    /// <summary>What every plane of one conv shares: the units (where each output vector reads, where it writes),
    /// the taps' offsets, the lanes of a unit, the padded plane's size.</summary>
    sealed class PlanePlan
    {
        public required long[] UnitIn;
        public required int[] UnitOut, Taps;
        public required int Lanes, OutPlane, PhaseLength;
        public required long PlaneFloats;
    }

    static PlanePlan PlanFor<V>(in ConvDims s) where V : unmanaged, IVec<V>
    {
        int lp = PhaseLength(s), c = V.Count;
        long pitch = (long)s.SW * lp;
        bool partial = s.OW < c;
        int perRow = partial ? 1 : (s.OW + c - 1) / c, units = s.OH * perRow;
        var unitIn = new long[units];
        var unitOut = new int[units];
        for (int oy = 0, u = 0; oy < s.OH; oy++)
            for (int j = 0; j < perRow; j++, u++)
            {
                int ox = partial ? 0 : Math.Min(j * c, s.OW - c);
                unitIn[u] = oy * s.SH * pitch + ox;
                unitOut[u] = oy * s.OW + ox;
            }
        var taps = new int[s.Taps];
        for (int ky = 0; ky < s.KH; ky++)
            for (int kx = 0; kx < s.KW; kx++) taps[ky * s.KW + kx] = (int)(ky * pitch + kx % s.SW * lp + kx / s.SW);
        return new PlanePlan
        {
            UnitIn = unitIn, UnitOut = unitOut, Taps = taps, Lanes = partial ? s.OW : c, OutPlane = s.OutPlane,
            PhaseLength = lp, PlaneFloats = PaddedRows(s) * pitch + Slack,
        };
    }

    /// <summary>Writes the padded phase plane of input plane x [H, W] into p: zero rows, phase rows, zero rows and slack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BuildPadded(float* p, float* x, in ConvDims s, int lp)
    {
        long pitch = (long)s.SW * lp;
        Im2Col.Clear(p, (int)(s.PH * pitch));
        for (int iy = 0; iy < s.H; iy++) BuildPhaseRow(p + (iy + s.PH) * pitch, x + (long)iy * s.W, s, lp);
        Im2Col.Clear(p + (s.H + s.PH) * pitch, (int)(s.PH * pitch) + Slack);
    }

    /// <summary>
    /// One output plane: every unit's sum of taps·weights (plus bias), four units at a time, stored in unit order
    /// (<see cref="Put{V}"/> relies on it).
    /// </summary>
    static void Plane<V>(float* p, float* w, float bias, float* y, PlanePlan plan) where V : unmanaged, IVec<V>
    {
        fixed (long* unitIn = plan.UnitIn)
        fixed (int* unitOut = plan.UnitOut, taps = plan.Taps)
            Plane<V>(p, w, bias, y, plan.OutPlane, unitIn, unitOut, plan.UnitIn.Length, taps, plan.Taps.Length, plan.Lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Plane<V>(float* p, float* w, float bias, float* y, int outPlane, long* unitIn, int* unitOut, int units, int* taps, int nTaps, int lanes)
        where V : unmanaged, IVec<V>
    {
        V* wv = stackalloc V[nTaps];
        for (int t = 0; t < nTaps; t++) wv[t] = V.Splat(w[t]);
        var bv = V.Splat(bias);
        int u = 0;
        for (; u + 4 <= units; u += 4)
        {
            float* q0 = p + unitIn[u], q1 = p + unitIn[u + 1], q2 = p + unitIn[u + 2], q3 = p + unitIn[u + 3];
            V a0 = bv, a1 = bv, a2 = bv, a3 = bv;
            for (int t = 0; t < nTaps; t++)
            {
                V wt = wv[t];
                int o = taps[t];
                a0 = V.Fma(V.Load(q0 + o), wt, a0);
                a1 = V.Fma(V.Load(q1 + o), wt, a1);
                a2 = V.Fma(V.Load(q2 + o), wt, a2);
                a3 = V.Fma(V.Load(q3 + o), wt, a3);
            }
            Put(a0, y, unitOut[u], lanes, outPlane);
            Put(a1, y, unitOut[u + 1], lanes, outPlane);
            Put(a2, y, unitOut[u + 2], lanes, outPlane);
            Put(a3, y, unitOut[u + 3], lanes, outPlane);
        }
        for (; u < units; u++)
        {
            float* q = p + unitIn[u];
            V a = bv;
            for (int t = 0; t < nTaps; t++) a = V.Fma(V.Load(q + taps[t]), wv[t], a);
            Put(a, y, unitOut[u], lanes, outPlane);
        }
    }

    /// <summary>
    /// Stores a unit at y + at. A partial unit (a row narrower than the vector) is stored whole when the vector ends
    /// inside the plane: its extra lanes land on the next rows, whose own units are stored later and overwrite
    /// them; only a vector that would cross the plane's end (into another task's plane) stores lane by lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put<V>(V v, float* y, int at, int lanes, int outPlane) where V : unmanaged, IVec<V>
    {
        if (lanes == V.Count || at + V.Count <= outPlane) V.Store(v, y + at);
        else V.StorePartial(v, y + at, lanes);
    }
}
