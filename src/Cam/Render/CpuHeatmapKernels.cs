using System.Buffers;
using System.Runtime.CompilerServices;
using NativeCam.Tensors;
using static NativeCam.Cam.Render.HeatmapKernels;

namespace NativeCam.Cam.Render;

/// <summary>
/// The SIMD CPU implementation of <see cref="IHeatmapKernels"/> for the `cpu` device (<see cref="HeatmapKernels.For"/>
/// picks it): plain C# on the host memory of the device's tensors and images, split over the cores by rows, every
/// range owning its outputs. Results are bit-identical to <see cref="IlgpuHeatmapKernels"/>: the same float32 /
/// float64 operations in the same order (shared taps, quantisation and rounding), only regrouped: the bilinear
/// resize is done separably, each source row resized along x once and reused by the output rows that read it
/// (the ILGPU kernel recomputes it per output pixel, with the same products and sums); the min/max keeps per-lane
/// extremes and folds them with the same strict comparisons. The float loops (vertical blend, min/max,
/// normalisation) are written once over the vector width (<see cref="IVec{V}"/>); the byte work (JET, blend) is
/// scalar, the blend a lookup in a table of the kernel's results for every (level, channel, image byte).
/// </summary>
public sealed unsafe class CpuHeatmapKernels : IHeatmapKernels
{
    /// <summary>Pixels per work item of the streaming kernels (normalise, blend): a range never holds fewer.</summary>
    const int Chunk = 4096;

    /// <summary>OpenCV's JET as R, G, B bytes per level.</summary>
    static readonly byte[] Jet = JetColorMap.RgbBytes();

    readonly SimdWidth _width;

    /// <summary>Kernels that run with at most <paramref name="width"/> (tests compare the widths).</summary>
    public CpuHeatmapKernels(SimdWidth width = SimdWidth.Auto) => _width = Simd.Resolve(width);

    /// <summary>The kernels at the widest vector width the CPU accelerates.</summary>
    public static CpuHeatmapKernels Shared { get; } = new();

    /// <summary>The vector width the kernels run with on this machine.</summary>
    public SimdWidth Width => _width;

    // ---- bilinear resize ------------------------------------------------------------------------------------

    /// <summary>One output index's two source indices and weights along one axis (<see cref="HeatmapKernels.Tap"/>).</summary>
    struct AxisTap
    {
        public int I0, I1;
        public float L0, L1;
    }

    static AxisTap[] AxisTaps(int outSize, float scale, int size)
    {
        var taps = new AxisTap[outSize];
        for (int o = 0; o < outSize; o++)
        {
            ref var t = ref taps[o];
            Tap(o, scale, size, out t.I0, out t.I1, out t.L0, out t.L1);
        }
        return taps;
    }

    public void ResizeBilinear(Tensor src, Tensor dst, PixelWindow? window = null)
    {
        var (k, s) = CheckResize(src, dst, window);
        if (k == 0) return;
        var xs = AxisTaps(s.OutW, s.ScaleX, s.WinW);
        var ys = AxisTaps(s.OutH, s.ScaleY, s.WinH);
        fixed (AxisTap* x = xs, y = ys)
            Simd.For(_width, k * s.OutH, Simd.PerRange(2L * s.OutW), new ResizeRows(src.Pointer, dst.Pointer, x, y, s));
    }

    /// <summary>
    /// Output rows r = (k, y) of [K, OutH, OutW]. A source row is resized along x into a row buffer
    /// (x0·λx0 + x1·λx1, the ILGPU kernel's t0 / t1) the first time an output row of the range needs it; two
    /// buffers hold the rows y0 and y1 of the current output row, so an upsample resizes each source row once per
    /// range. The output row is then t0·λy0 + t1·λy1, a vector at a time.
    /// </summary>
    readonly struct ResizeRows(float* src, float* dst, AxisTap* xs, AxisTap* ys, ResizeShape s) : ISimdKernel
    {
        readonly float* _src = src, _dst = dst;
        readonly AxisTap* _xs = xs, _ys = ys;
        readonly ResizeShape _s = s;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            int w = _s.OutW;
            var buffer = ArrayPool<float>.Shared.Rent(2 * w);
            try
            {
                fixed (float* rows = buffer)
                {
                    // Which source row (k·WinH + row) each buffer holds; −1: none yet.
                    var cache = new RowPair { A = rows, B = rows + w, KeyA = -1, KeyB = -1 };
                    for (int r = start; r < end; r++)
                    {
                        int k = r / _s.OutH;
                        var ty = _ys[r - k * _s.OutH];
                        long key0 = (long)k * _s.WinH + ty.I0, key1 = (long)k * _s.WinH + ty.I1;
                        float* top = Resized(ref cache, key0, keep: key1);
                        float* bottom = Resized(ref cache, key1, keep: key0);
                        float* d = _dst + (long)r * w;
                        V l0 = V.Splat(ty.L0), l1 = V.Splat(ty.L1);
                        int i = 0;
                        for (; i <= w - V.Count; i += V.Count) V.Store(V.Load(top + i) * l0 + V.Load(bottom + i) * l1, d + i);
                        for (; i < w; i++) d[i] = top[i] * ty.L0 + bottom[i] * ty.L1;
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        struct RowPair
        {
            public float* A, B;
            public long KeyA, KeyB;
        }

        /// <summary>Source row <paramref name="key"/> resized along x: from a buffer if there, else computed into the
        /// buffer that does not hold <paramref name="keep"/> (the other row the output row needs).</summary>
        [MethodImpl(Simd.Hot)]
        float* Resized(ref RowPair cache, long key, long keep)
        {
            if (cache.KeyA == key) return cache.A;
            if (cache.KeyB == key) return cache.B;
            float* row;
            if (cache.KeyA == keep)
            {
                row = cache.B;
                cache.KeyB = key;
            }
            else
            {
                row = cache.A;
                cache.KeyA = key;
            }
            int k = (int)(key / _s.WinH), y = (int)(key - (long)k * _s.WinH);
            float* s = _src + (long)k * _s.SrcPlane + (long)(_s.Top + y) * _s.SrcW + _s.Left;
            for (int x = 0; x < _s.OutW; x++)
            {
                var t = _xs[x];
                row[x] = s[t.I0] * t.L0 + s[t.I1] * t.L1;
            }
            return row;
        }
    }

    // ---- min/max and normalisation ----------------------------------------------------------------------------

    public void MinMax(Tensor maps, Tensor stats, PixelWindow? region = null)
    {
        var (k, h, w, win) = CheckMinMax(maps, stats, region);
        if (k == 0) return;
        int rows = k * win.Height;
        var partial = new float[2 * rows];
        float* m = maps.Pointer, st = stats.Pointer;
        fixed (float* p = partial)
        {
            Simd.For(_width, rows, Simd.PerRange(win.Width), new MinMaxRows(m, p, h * w, w, win));
            for (int map = 0; map < k; map++)
            {
                // The rows folded in order with the ILGPU kernel's strict comparisons: the first row reaching the extreme wins.
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                int minRow = 0, maxRow = 0;
                for (int y = 0; y < win.Height; y++)
                {
                    float lo = p[2 * (map * win.Height + y)], hi = p[2 * (map * win.Height + y) + 1];
                    if (lo < mn) (mn, minRow) = (lo, y);
                    if (hi > mx) (mx, maxRow) = (hi, y);
                }
                // −0 and +0 compare equal, so a sequential scan keeps the first zero it meets; the vector lanes may
                // have kept another. A zero extreme first appears in the row found above: take that row's first zero.
                float* mapWindow = m + (long)map * h * w + (long)win.Top * w + win.Left;
                if (mn == 0f) mn = FirstZero(mapWindow + (long)minRow * w, win.Width);
                if (mx == 0f) mx = FirstZero(mapWindow + (long)maxRow * w, win.Width);
                st[3 * map] = mn;
                st[3 * map + 1] = mx;
                st[3 * map + 2] = mx > mn ? 0f : 1f;
            }
        }
    }

    static float FirstZero(float* row, int n)
    {
        for (int i = 0; i < n; i++)
            if (row[i] == 0f) return row[i];
        throw new InvalidOperationException("min/max: a row whose extreme is zero holds no zero");
    }

    /// <summary>Row r = (map, y) of the window: partial[2r] = min, partial[2r + 1] = max, NaN skipped (comparisons
    /// are false, as in the scalar scan), per lane then across the lanes.</summary>
    readonly struct MinMaxRows(float* maps, float* partial, int plane, int w, PixelWindow window) : ISimdKernel
    {
        readonly float* _maps = maps, _partial = partial;
        readonly int _plane = plane, _w = w;
        readonly PixelWindow _win = window;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            float* lanes = stackalloc float[2 * V.Count];
            int n = _win.Width;
            for (int r = start; r < end; r++)
            {
                int map = r / _win.Height, y = r - map * _win.Height;
                float* x = _maps + (long)map * _plane + (long)(_win.Top + y) * _w + _win.Left;
                V lo = V.Splat(float.PositiveInfinity), hi = V.Splat(float.NegativeInfinity);
                int i = 0;
                for (; i <= n - V.Count; i += V.Count)
                {
                    var v = V.Load(x + i);
                    lo = V.Select(V.Less(v, lo), v, lo);
                    hi = V.Select(V.Greater(v, hi), v, hi);
                }
                if (i < n)
                {
                    var v = V.LoadPartial(x + i, n - i, float.NaN); // NaN lanes are skipped
                    lo = V.Select(V.Less(v, lo), v, lo);
                    hi = V.Select(V.Greater(v, hi), v, hi);
                }
                V.Store(lo, lanes);
                V.Store(hi, lanes + V.Count);
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                for (int l = 0; l < V.Count; l++)
                {
                    if (lanes[l] < mn) mn = lanes[l];
                    if (lanes[V.Count + l] > mx) mx = lanes[V.Count + l];
                }
                _partial[2 * r] = mn;
                _partial[2 * r + 1] = mx;
            }
        }
    }

    public void Normalize(Tensor maps, Tensor stats, Tensor dst)
    {
        var (k, plane) = CheckNormalize(maps, stats, dst);
        if (k == 0) return;
        int chunks = (plane + Chunk - 1) / Chunk;
        Simd.For(_width, k * chunks, Simd.PerRange(Chunk), new NormalizeChunks(maps.Pointer, stats.Pointer, dst.Pointer, plane, chunks));
    }

    /// <summary>Item (map, chunk): (v − min) / (max − min) over its pixels, float32 as the ILGPU kernel; 0 for an empty map.</summary>
    readonly struct NormalizeChunks(float* maps, float* stats, float* dst, int plane, int chunks) : ISimdKernel
    {
        readonly float* _maps = maps, _stats = stats, _dst = dst;
        readonly int _plane = plane, _chunks = chunks;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int item = start; item < end; item++)
            {
                int map = item / _chunks, c = item - map * _chunks;
                int first = c * Chunk, n = Math.Min(Chunk, _plane - first);
                long offset = (long)map * _plane + first;
                float* x = _maps + offset, y = _dst + offset;
                float mn = _stats[3 * map], span = _stats[3 * map + 1] - mn;
                if (_stats[3 * map + 2] != 0f)
                {
                    Simd.Fill<V>(y, n, 0f);
                    continue;
                }
                V mnv = V.Splat(mn), spanv = V.Splat(span);
                int i = 0;
                for (; i <= n - V.Count; i += V.Count) V.Store((V.Load(x + i) - mnv) / spanv, y + i);
                for (; i < n; i++) y[i] = (x[i] - mn) / span;
            }
        }
    }

    // ---- JET and blend ----------------------------------------------------------------------------------------

    public void ColorizeBlend(Tensor cam, DeviceRgb image, DeviceRgb output, double heatWeight)
    {
        var (k, s) = CheckColorizeBlend(cam, image, output, heatWeight);
        var table = BlendTable(s);
        nint pc = (nint)cam.Pointer, pi = (nint)image.Pointer, po = (nint)output.Pointer;
        int plane = s.Plane, chunks = (plane + Chunk - 1) / Chunk;
        CpuParallel.For(k * chunks, 1, (start, end) =>
        {
            fixed (byte* t = table)
                for (int item = start; item < end; item++)
                {
                    int map = item / chunks, first = (item - map * chunks) * Chunk, n = Math.Min(Chunk, plane - first);
                    long p = (long)map * plane + first;
                    Blend((float*)pc + p, (byte*)pi + 3L * first, (byte*)po + 3 * p, n, t);
                }
        });
    }

    /// <summary>n pixels: level = trunc(255·cam), then each channel's blended byte from the table.</summary>
    [MethodImpl(Simd.Hot)]
    static void Blend(float* cam, byte* image, byte* output, int n, byte* table)
    {
        for (int p = 0; p < n; p++, image += 3, output += 3)
        {
            byte* t = table + 768 * JetColorMap.Quantise(cam[p]);
            output[0] = t[image[0]];
            output[1] = t[256 + image[1]];
            output[2] = t[512 + image[2]];
        }
    }

    /// <summary>The blend table of the last heat-map weight used (a run uses one), shared by all threads once built.</summary>
    static volatile Tuple<double, byte[]>? _blendTable;

    /// <summary>
    /// Every result of the ILGPU kernel's per-channel arithmetic: [(3·level + channel)·256 + image byte] =
    /// RoundToByte(w·JET[level][channel] (float64) + (1 − w)·byte (float32)), so a pixel is three lookups (192 KiB, built
    /// once per weight with the kernel's own expression: equal by construction).
    /// </summary>
    static byte[] BlendTable(BlendShape s)
    {
        if (_blendTable is { } cached && cached.Item1.Equals(s.HeatWeight)) return cached.Item2;
        var table = new byte[3 * 256 * 256];
        for (int i = 0; i < Jet.Length; i++)
        {
            double heat = s.HeatWeight * Jet[i];
            for (int b = 0; b < 256; b++)
            {
                float imageTerm = s.ImageWeight * b;
                table[i * 256 + b] = RoundToByte(heat + imageTerm);
            }
        }
        _blendTable = Tuple.Create(s.HeatWeight, table);
        return table;
    }

    public void Colorize(Tensor grid, DeviceRgb output, bool gray, int scale = 1)
    {
        var s = CheckColorize(grid, output, gray, scale);
        nint pg = (nint)grid.Pointer, po = (nint)output.Pointer;
        int outW = s.W * s.Scale;
        CpuParallel.For(s.H * s.Scale, Math.Max(1, Chunk / outW), (start, end) =>
        {
            for (int y = start; y < end; y++)
                ColorizeRow((float*)pg + (long)(y / s.Scale) * s.W, (byte*)po + 3L * y * outW, s);
        });
    }

    /// <summary>One output row: each cell's level as grey or JET, repeated over its scale pixels.</summary>
    [MethodImpl(Simd.Hot)]
    static void ColorizeRow(float* cells, byte* output, ColorizeShape s)
    {
        fixed (byte* jet = Jet)
            for (int x = 0; x < s.W; x++)
            {
                int level = JetColorMap.Quantise(cells[x]);
                byte* c = jet + 3 * level;
                byte r = s.Gray != 0 ? (byte)level : c[0], g = s.Gray != 0 ? (byte)level : c[1], b = s.Gray != 0 ? (byte)level : c[2];
                for (int i = 0; i < s.Scale; i++, output += 3)
                {
                    output[0] = r;
                    output[1] = g;
                    output[2] = b;
                }
            }
    }
}
