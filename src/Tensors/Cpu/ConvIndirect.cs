using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeCam.Tensors;

/// <summary>
/// A convolution's forward as an indirect GEMM (docs/cpu-backend.md, "Convolutions"): y[co, pixel] = Σ_tap
/// W[co, tap] · x[tap's input position for that pixel], computed by the GEMM's own micro-kernels with B̄ row p
/// read straight from the image instead of from a packed panel. What makes that possible is a copy of the input,
/// made once per call, in which every tap of 32 neighbouring output pixels is 32 consecutive floats:
/// <list type="bullet">
/// <item>zero padding around each plane, so no tap needs a border test;</item>
/// <item>for stride s, each padded row split into its s column phases (phase φ holds columns φ, φ + s, φ + 2s ..),
/// so pixel ox's tap kx is column ox + kx / s of phase kx mod s;</item>
/// <item>rows wide enough for whole 32-pixel tiles.</item>
/// </list>
/// Tap (ci, ky, kx) of pixel (oy, ox) is then at offsets[tap] + oy·s_h·rowLength + ox, with one offset per tap
/// shared by every tile. Compared with im2col + packing, each input value is copied once instead of kh·kw/stride²
/// times twice, and the kernel reads B̄ rows from an image region that stays in L1 for a K block.
/// </summary>
internal static unsafe class ConvIndirect
{
    /// <summary>Off: every conv takes im2col + GEMM (`bench -- profile --im2col` compares the two per shape).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>On: the input copy is allocated and freed per call, as before issue #18 (`bench -- profile
    /// --fresh-copy` measures the old way side by side).</summary>
    internal static bool FreshCopy { get; set; }

    /// <summary>Output pixels per micro-tile row: the widest kernel's NR.</summary>
    const int Tile = 32;

    /// <summary>
    /// The phase-split, padded copy of the input of one conv call. Row mode: each output row is its own run of
    /// pixels, rows are whole tiles long. Flat mode (stride 1): a phase row is the padded input row, and a band of
    /// output rows is one run over the padded width, whose KW − 1 columns past each row's end are computed and
    /// dropped; a 40-pixel row then wastes 2 of 42 lanes instead of 24 of 64.
    /// </summary>
    readonly struct Phased(ConvDims s, bool flat)
    {
        public readonly bool Flat = flat;

        /// <summary>Floats per phase row.</summary>
        public readonly int RowLength = flat ? s.W + 2 * s.PW : (s.OW + Tile - 1) / Tile * Tile + (s.KW - 1) / s.SW;

        /// <summary>Padded rows per phase: every row an output row's taps read.</summary>
        public readonly int Rows = (s.OH - 1) * s.SH + s.KH;

        public long PhasePlane => (long)Rows * RowLength;

        /// <summary>Floats per input channel (all its phases).</summary>
        public long Channel => SW * PhasePlane;

        readonly int SW = s.SW;

        /// <summary>Floats after the last channel that a flat run's last, partly junk tile may read.</summary>
        public int Slack => RowLength * Rows + 2 * Tile;
    }

    /// <summary>The fraction of the micro-kernel's lanes that compute real outputs, in the mode this conv would use.</summary>
    public static double LaneUse(in ConvDims s, int nr)
    {
        bool flat = UseFlat(s, nr);
        return flat ? (double)s.OW / (s.W + 2 * s.PW) : (double)s.OW / ((s.OW + nr - 1) / nr * nr);
    }

    static bool UseFlat(in ConvDims s, int nr) => s.SH == 1 && s.SW == 1 && s.OW % nr != 0;

    /// <summary>
    /// Whether this conv runs here rather than as im2col + GEMM. Measured per YOLOv5 conv on one core (thread CPU
    /// time, docs/cpu-backend.md): the indirect GEMM is 15–57 % faster for the few-channel high-resolution convs,
    /// and 3–11 % slower where under 90 % of the lanes compute real pixels (15-pixel rows) or a strided conv has a
    /// long K (64→128 3×3/2 and up), where im2col's packing is spread over many output channels.
    /// </summary>
    public static bool Suits(in ConvDims s) =>
        !s.Pointwise && !s.Depthwise && LaneUse(s, NR) >= MinLaneUse && (s.SW == 1 || s.Kdim < 512)
        && (long)s.Cin * s.SW * ((s.OH - 1) * s.SH + s.KH) * ((long)s.W + 2 * s.PW + 2 * Tile) < int.MaxValue / 2;

    const double MinLaneUse = 0.9;

    static int NR => Sgemm.Current switch
    {
        Sgemm.Path.Vector512 => Sgemm.Kernel512.NR,
        Sgemm.Path.Vector256 => Sgemm.Kernel6<V256>.NR,
        Sgemm.Path.Vector128 => Sgemm.Kernel6<V128>.NR,
        _ => Sgemm.KernelScalar.NR,
    };

    public static void Forward(ConvDims s, float* x, float* w, float* bias, float* y, float* activated, Action<nint, nint, int>? activate)
    {
        switch (Sgemm.Current)
        {
            case Sgemm.Path.Vector512: Forward<Sgemm.Kernel512>(s, x, w, bias, y, activated, activate); break;
            case Sgemm.Path.Vector256: Forward<Sgemm.Kernel6<V256>>(s, x, w, bias, y, activated, activate); break;
            case Sgemm.Path.Vector128: Forward<Sgemm.Kernel6<V128>>(s, x, w, bias, y, activated, activate); break;
            default: Forward<Sgemm.KernelScalar>(s, x, w, bias, y, activated, activate); break;
        }
    }

    static void Forward<TKernel>(ConvDims s, float* x, float* w, float* bias, float* y, float* activated, Action<nint, nint, int>? activate)
        where TKernel : Sgemm.IMicroKernel
    {
        var ph = new Phased(s, UseFlat(s, TKernel.NR));
        int groups = s.Groups, cinG = s.CinG, coutG = s.CoutG, kdim = s.Kdim;
        long channel = ph.Channel, image = s.Cin * channel, total = s.InImages * image + ph.Slack;
        // The copy (5 MB for YOLO's 16→32 3×3/2 at 640×480) lives in this thread's scratch, reused by every call:
        // allocated per call, glibc could hand it back to the kernel on free and the next call paid a page fault per
        // 4 KiB (yolov5n's stem: 7.3 ms instead of 3.6 on this VM; docs/cpu-backend.md, "The forward as an indirect GEMM").
        float* phased = FreshCopy ? (float*)NativeMemory.AlignedAlloc((nuint)(total * sizeof(float)), 64) : ConvScratch.Get(ConvScratch.Input, total);
        int* offsets = (int*)NativeMemory.Alloc((nuint)(kdim * sizeof(int)));
        var packed = new Sgemm.PackedA[groups];
        try
        {
            nint pp = (nint)phased, px = (nint)x;
            new Span<float>(phased + total - ph.Slack, ph.Slack).Clear();
            CpuParallel.For(s.InImages * s.Cin, 4, (c0, c1) =>
            {
                for (int c = c0; c < c1; c++) Split((float*)px + (long)c * s.InPlane, (float*)pp + c * channel, s, ph);
            });
            for (int tap = 0; tap < kdim; tap++)
            {
                int ci = tap / s.Taps, ky = tap / s.KW % s.KH, kx = tap % s.KW;
                offsets[tap] = checked((int)(ci * channel + kx % s.SW * ph.PhasePlane + (long)ky * ph.RowLength + kx / s.SW));
            }
            for (int gi = 0; gi < groups; gi++) packed[gi] = new Sgemm.PackedA(coutG, kdim, w + (long)gi * coutG * kdim, kdim, 1);

            // Tasks: bands of output rows of one (image, group), about 2 per core and, in flat mode, small enough that
            // the band's result (coutG × rows × RowLength) stays in L2 until it is copied out.
            int outer = s.OutImages * groups;
            int bands = Math.Max((2 * CpuParallel.Cores + outer - 1) / outer,
                ph.Flat ? (int)Math.Min(s.OH, (long)coutG * s.OH * ph.RowLength / (64 * 1024) + 1) : 1);
            bands = Math.Clamp(bands, 1, s.OH);
            nint py = (nint)y, pa = (nint)activated, pb = (nint)bias, po = (nint)offsets;
            var flatRows = ph;
            CpuParallel.Run(outer * bands, task =>
            {
                int b = task / (groups * bands), gi = task / bands % groups, band = task % bands;
                int oy0 = (int)((long)band * s.OH / bands), oy1 = (int)((long)(band + 1) * s.OH / bands);
                float* origin = (float*)pp + b * image + gi * cinG * channel;
                float* yg = (float*)py + ((long)b * s.Cout + gi * coutG) * s.OutPlane;
                float* bg = pb == 0 ? null : (float*)pb + gi * coutG;
                float* tile = stackalloc float[Sgemm.MaxTile];
                if (flatRows.Flat)
                {
                    // One run over the band at the padded width, into scratch; then each row's first OW pixels to y.
                    int n = (oy1 - oy0) * flatRows.RowLength;
                    float* result = ConvScratch.Get(ConvScratch.Panel, (long)coutG * n);
                    Segment<TKernel>(packed[gi], origin + (long)oy0 * flatRows.RowLength, (int*)po, n, result, n, bg, tile);
                    for (int co = 0; co < coutG; co++)
                        for (int oy = oy0; oy < oy1; oy++)
                            Sgemm.CopyRow(result + (long)co * n + (oy - oy0) * flatRows.RowLength, yg + (long)co * s.OutPlane + (long)oy * s.OW, s.OW);
                }
                else
                    for (int oy = oy0; oy < oy1; oy++)
                        Segment<TKernel>(packed[gi], origin + (long)oy * s.SH * flatRows.RowLength, (int*)po, s.OW, yg + (long)oy * s.OW, s.OutPlane, bg, tile);
                if (activate == null) return;
                long offset = yg - (float*)py;
                for (int co = 0; co < coutG; co++)
                {
                    long at = (offset + (long)co * s.OutPlane + (long)oy0 * s.OW) * sizeof(float);
                    activate(py + (nint)at, pa + (nint)at, (oy1 - oy0) * s.OW);
                }
            });
        }
        finally
        {
            foreach (var p in packed) p?.Dispose();
            NativeMemory.Free(offsets);
            if (FreshCopy) NativeMemory.AlignedFree(phased);
        }
    }

    /// <summary>
    /// One run of <paramref name="n"/> output pixels of C = A · B̄, pixel j's tap p at origin + offsets[p] + j, written
    /// to c + r·ldc + j for channel r (whole tiles are computed; a short last tile is stored through scratch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Segment<TKernel>(Sgemm.PackedA a, float* origin, int* offsets, int n, float* c0, long ldc, float* bias, float* tile)
        where TKernel : Sgemm.IMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR, m = a.M, k = a.K, kcStep = Sgemm.KStep(k);
        for (int j = 0; j < n; j += nr)
        {
            int cols = Math.Min(nr, n - j);
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                bool load = pc > 0;
                var rows = new Sgemm.OffsetRows(origin + j, offsets + pc);
                float* aBlock = a.Data + (long)pc * a.PaddedRows;
                for (int ir = 0; ir < m; ir += mr)
                {
                    int r = Math.Min(mr, m - ir);
                    float* c = c0 + ir * ldc + j;
                    float* b = pc == 0 && bias != null ? bias + ir : null;
                    if (r == mr && cols == nr)
                        TKernel.Run(kc, aBlock + (long)ir * kc, rows, c, ldc, load, b);
                    else
                    {
                        TKernel.Run(kc, aBlock + (long)ir * kc, rows, tile, nr, false, null);
                        Sgemm.StorePartial(tile, nr, r, cols, c, ldc, 1, load, b);
                    }
                }
            }
        }
    }

    /// <summary>One input plane [H, W] into its phase planes [SW][Rows][RowLength]: zero padding, column phases.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Split(float* x, float* dst, in ConvDims s, in Phased ph)
    {
        for (int phase = 0; phase < s.SW; phase++)
        {
            // Phase column j holds padded column j·SW + phase, i.e. input column j·SW + phase − PW: columns [j0, j1)
            // come from the input, the others are padding (zeros), as are the rows outside the input.
            int j0 = Math.Max(0, (s.PW - phase + s.SW - 1) / s.SW);
            int last = s.W - 1 + s.PW - phase; // j·SW ≤ last for input columns < W
            int j1 = last < 0 ? 0 : Math.Min(ph.RowLength, last / s.SW + 1);
            j0 = Math.Min(j0, j1);
            for (int r = 0; r < ph.Rows; r++)
            {
                float* d = dst + phase * ph.PhasePlane + (long)r * ph.RowLength;
                int iy = r - s.PH;
                if ((uint)iy >= (uint)s.H || j1 == j0)
                {
                    Im2Col.Clear(d, ph.RowLength);
                    continue;
                }
                Im2Col.Clear(d, j0);
                Im2Col.CopyStrided(d + j0, x + (long)iy * s.W + (j0 * s.SW + phase - s.PW), j1 - j0, s.SW);
                Im2Col.Clear(d + j1, ph.RowLength - j1);
            }
        }
    }
}
