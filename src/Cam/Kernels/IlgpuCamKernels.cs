using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam;

/// <summary>
/// The ILGPU implementation of <see cref="ICamKernels"/>, one per device (<see cref="For"/>). Kernels follow
/// the engine's pattern (docs/engine.md): a <see cref="Work"/> split over coarse CPU threads or many GPU
/// threads, each work item owning its outputs (no atomics, no barriers). Work items: one per (target k,
/// channel c) for channel weights, one per (k, pixel) for weighted sums, one per (k, c1, c2) for EigenCAM's
/// covariance and one per (k, c) for each power-iteration step.
/// </summary>
public sealed partial class IlgpuCamKernels : KernelSet, ICamKernels
{
    static readonly ConditionalWeakTable<Device, IlgpuCamKernels> _cache = new();

    IlgpuCamKernels(Device device) : base(device) { }

    /// <summary>The kernels of <paramref name="device"/> (compiled on first use, then cached).</summary>
    public static IlgpuCamKernels For(Device device) => _cache.GetValue(device, d => new IlgpuCamKernels(d));

    // ---- channel weights: Grad-CAM, Grad-CAM++, XGrad-CAM --------------------------------------------

    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape, float>? _channelWeights;

    // One work item per (k, c): it walks the channel's P pixels (twice for the methods that need S_c = Σ_p A).
    static void ChannelWeightsKernel(Index1D t, Work w, int method, ArrayView<float> a, ArrayView<float> g,
        ArrayView<float> weights, LayerShape s, float eps)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / s.C, c = item % s.C;
                int aBase = c * s.P, gBase = (k * s.C + c) * s.P;
                float sumA = 0;
                if (method != (int)CamMethod.GradCam)
                    for (int p = 0; p < s.P; p++) sumA += a[aBase + p];
                float sum = 0;
                for (int p = 0; p < s.P; p++)
                {
                    float gv = g[gBase + p];
                    if (method == (int)CamMethod.GradCam) sum += gv;
                    else if (method == (int)CamMethod.XGradCam) sum += gv * a[aBase + p];
                    else if (gv > 0) // Grad-CAM++: max(g, 0) is zero elsewhere, and so is its term
                    {
                        float g2 = gv * gv;
                        float denominator = 2f * g2 + sumA * g2 * gv + eps;
                        if (denominator != 0) sum += g2 / denominator * gv;
                    }
                }
                weights[item] = method == (int)CamMethod.GradCam ? sum / s.P
                    : method == (int)CamMethod.XGradCam ? (sumA != 0 ? sum / sumA : 0f)
                    : sum;
            }
    }

    public void ChannelWeights(CamMethod method, Tensor a, Tensor g, Tensor weights, float epsilon)
    {
        var s = CamChecks.ChannelWeights(method, a, g, weights);
        var (threads, w) = Plan(s.K * s.C);
        _channelWeights ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape, float>(ChannelWeightsKernel);
        _channelWeights(threads, w, (int)method, a.View, g.View, weights.View, s, epsilon);
    }

    // ---- weighted channel sum and per-pixel weightings -------------------------------------------------

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>? _weightedSum;
    Action<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>? _pixelSum;

    // One work item per (k, pixel): the ReLU of its weighted channel sum.
    static void WeightedSumKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> weights, ArrayView<float> map, LayerShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / s.P, p = item % s.P;
                float sum = 0;
                for (int c = 0; c < s.C; c++) sum += weights[k * s.C + c] * a[c * s.P + p];
                map[item] = sum > 0 ? sum : 0f;
            }
    }

    static void PixelSumKernel(Index1D t, Work w, int method, ArrayView<float> a, ArrayView<float> g, ArrayView<float> map, LayerShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / s.P, p = item % s.P;
                float sum = 0;
                for (int c = 0; c < s.C; c++)
                {
                    float gv = g[(k * s.C + c) * s.P + p];
                    if (method == (int)CamMethod.LayerCam && gv < 0) gv = 0;
                    float term = gv * a[c * s.P + p];
                    if (method == (int)CamMethod.GradCamElementWise && term < 0) term = 0;
                    sum += term;
                }
                map[item] = sum > 0 ? sum : 0f;
            }
    }

    public void WeightedSum(Tensor a, Tensor weights, Tensor map)
    {
        var s = CamChecks.WeightedSum(a, weights, map);
        var (threads, w) = Plan(map.Length);
        _weightedSum ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>(WeightedSumKernel);
        _weightedSum(threads, w, a.View, weights.View, map.View, s);
    }

    public void PixelSum(CamMethod method, Tensor a, Tensor g, Tensor map)
    {
        var s = CamChecks.PixelSum(method, a, g, map);
        var (threads, w) = Plan(map.Length);
        _pixelSum ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>(PixelSumKernel);
        _pixelSum(threads, w, (int)method, a.View, g.View, map.View, s);
    }

    // ---- EigenCAM / EigenGrad-CAM ------------------------------------------------------------------------

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _product;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, LayerShape>? _channelMean;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>? _covariance;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _powerStep;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>? _project;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _sign;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _signedRelu;

    static void ProductKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> g, ArrayView<float> x)
    {
        int n = (int)a.Length;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int i = ch; i < w.End(ch); i++) x[i] = a[i % n] * g[i];
    }

    // One work item per (k, c): the mean of the channel over the pixels.
    static void ChannelMeanKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> mean, LayerShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int b = item * s.P;
                float sum = 0;
                for (int p = 0; p < s.P; p++) sum += x[b + p];
                mean[item] = sum / s.P;
            }
    }

    // One work item per (k, c1, c2): one entry of the centred C×C covariance (scatter) matrix.
    static void CovarianceKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> cov, LayerShape s)
    {
        int cc = s.C * s.C;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / cc, r = item % cc, c1 = r / s.C, c2 = r % s.C;
                int b1 = (k * s.C + c1) * s.P, b2 = (k * s.C + c2) * s.P;
                float m1 = mean[k * s.C + c1], m2 = mean[k * s.C + c2];
                float sum = 0;
                for (int p = 0; p < s.P; p++) sum += (x[b1 + p] - m1) * (x[b2 + p] - m2);
                cov[item] = sum;
            }
    }

    // One power-iteration step per (k, c): vOut = M · vIn / ‖vIn‖ (each item recomputes the norm: C terms,
    // cheaper than a separate launch). A zero vector stays zero (a zero matrix has no direction).
    static void PowerStepKernel(Index1D t, Work w, ArrayView<float> cov, ArrayView<float> vIn, ArrayView<float> vOut, int channels)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / channels, c = item % channels, vb = k * channels;
                float norm2 = 0;
                for (int j = 0; j < channels; j++) norm2 += vIn[vb + j] * vIn[vb + j];
                float sum = 0;
                int row = (k * channels + c) * channels;
                for (int j = 0; j < channels; j++) sum += cov[row + j] * vIn[vb + j];
                vOut[item] = norm2 > 0 ? sum / XMath.Sqrt(norm2) : 0f;
            }
    }

    // One work item per (k, pixel): the centred pixel projected on the unit vector v[k].
    static void ProjectKernel(Index1D t, Work w, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> v, ArrayView<float> q, LayerShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int item = ch; item < w.End(ch); item++)
            {
                int k = item / s.P, p = item % s.P, vb = k * s.C;
                float norm2 = 0, sum = 0;
                for (int c = 0; c < s.C; c++)
                {
                    float vc = v[vb + c];
                    norm2 += vc * vc;
                    sum += (x[(vb + c) * s.P + p] - mean[vb + c]) * vc;
                }
                q[item] = norm2 > 0 ? sum / XMath.Sqrt(norm2) : 0f;
            }
    }

    // One work item per k: the sign that makes the projection's largest-magnitude entry positive.
    static void SignKernel(Index1D t, Work w, ArrayView<float> q, ArrayView<float> sign, int pixels)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int k = ch; k < w.End(ch); k++)
            {
                float best = 0, bestAbs = -1;
                for (int p = 0; p < pixels; p++)
                {
                    float v = q[k * pixels + p];
                    float av = XMath.Abs(v);
                    if (av > bestAbs) { bestAbs = av; best = v; }
                }
                sign[k] = best < 0 ? -1f : 1f;
            }
    }

    static void SignedReluKernel(Index1D t, Work w, ArrayView<float> q, ArrayView<float> sign, ArrayView<float> map, int pixels)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int i = ch; i < w.End(ch); i++)
            {
                float v = q[i] * sign[i / pixels];
                map[i] = v > 0 ? v : 0f;
            }
    }

    public void Product(Tensor a, Tensor g, Tensor x)
    {
        CamChecks.Product(a, g, x);
        var (threads, w) = Plan(x.Length);
        _product ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ProductKernel);
        _product(threads, w, a.View, g.View, x.View);
    }

    /// <summary>Floats of scratch <see cref="EigenProjection"/> needs for K matrices of C channels over P pixels.</summary>
    public static int EigenScratch(int k, int channels, int pixels) => k * (channels * channels + 3 * channels + 1) + k * pixels;

    public void EigenProjection(Tensor x, int channels, int pixels, Tensor map, int iterations, Tensor scratch)
    {
        int k = CamChecks.EigenProjection(x, channels, pixels, map, iterations, scratch);
        var s = new LayerShape(k, channels, pixels);
        var view = scratch.View;
        int kc = k * channels, at = 0;
        ArrayView<float> Take(int n) { var v = view.SubView(at, n); at += n; return v; }
        var cov = Take(kc * channels);
        var mean = Take(kc);
        var v0 = Take(kc);
        var v1 = Take(kc);
        var sign = Take(k);
        var q = Take(k * pixels);

        _channelMean ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, LayerShape>(ChannelMeanKernel);
        _covariance ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>(CovarianceKernel);
        _powerStep ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(PowerStepKernel);
        _project ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>(ProjectKernel);
        _sign ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(SignKernel);
        _signedRelu ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(SignedReluKernel);

        var (tc, wc) = Plan(kc);
        _channelMean(tc, wc, x.View, mean, s);
        var (tm, wm) = Plan(kc * channels);
        _covariance(tm, wm, x.View, mean, cov, s);
        using (var start = scratch.Slice(kc * channels + kc, kc)) _device.Backend.Fill(start, 1f);
        for (int i = 0; i < iterations; i++)
        {
            _powerStep(tc, wc, cov, v0, v1, channels);
            (v0, v1) = (v1, v0);
        }
        var (tp, wp) = Plan(k * pixels);
        _project(tp, wp, x.View, mean, v0, q, s);
        var (ts, ws) = Plan(k);
        _sign(ts, ws, q, sign, pixels);
        _signedRelu(tp, wp, q, sign, map.View, pixels);
    }

    // ---- ranges, feature grids, guided products, seeds -----------------------------------------------

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, int>? _range;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, GridShape>? _grid;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResizeShape>? _guided;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SeedShape>? _seeds;

    // One work item per map (or channel): its min and max.
    static void RangeKernel(Index1D t, Work w, ArrayView<float> map, ArrayView<float> range, int pixels)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int k = ch; k < w.End(ch); k++)
            {
                float lo = map[k * pixels], hi = lo;
                for (int p = 1; p < pixels; p++)
                {
                    float v = map[k * pixels + p];
                    lo = XMath.Min(lo, v);
                    hi = XMath.Max(hi, v);
                }
                range[2 * k] = lo;
                range[2 * k + 1] = hi;
            }
    }

    public void MapRange(Tensor map, int pixels, Tensor range)
    {
        CamChecks.MapRange(map, pixels, range);
        var (threads, w) = Plan(map.Length / pixels);
        _range ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, int>(RangeKernel);
        _range(threads, w, map.View, range.View, pixels);
    }

    internal readonly struct GridShape(int h, int w, int count, int cols)
    {
        public readonly int H = h, W = w, Count = count, Cols = cols;
    }

    // One work item per grid pixel: which cell (channel) and pixel it shows, normalised by that channel's range.
    static void GridKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> range, ArrayView<float> grid, GridShape s)
    {
        int gridWidth = s.Cols * s.W;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int i = ch; i < w.End(ch); i++)
            {
                int gy = i / gridWidth, gx = i % gridWidth;
                int c = gy / s.H * s.Cols + gx / s.W;
                float v = 0;
                if (c < s.Count)
                {
                    float lo = range[2 * c], span = range[2 * c + 1] - lo;
                    float x = a[(c * s.H + gy % s.H) * s.W + gx % s.W];
                    v = span > 0 ? (x - lo) / span : 0f;
                }
                grid[i] = v;
            }
    }

    public void FeatureGrid(Tensor a, int height, int width, int count, int rows, int cols, Tensor grid, Tensor scratch)
    {
        CamChecks.FeatureGrid(a, height, width, count, rows, cols, grid, scratch);
        using var channels = a.Slice(0, count * height * width);
        using var range = scratch.Slice(0, 2 * count);
        MapRange(channels, height * width, range);
        var (threads, w) = Plan(grid.Length);
        _grid ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, GridShape>(GridKernel);
        _grid(threads, w, a.View, range.View, grid.View, new GridShape(height, width, count, cols));
    }

    internal readonly struct ResizeShape(int h, int w, int outH, int outW, int channels)
    {
        public readonly int H = h, W = w, OutH = outH, OutW = outW, Channels = channels;
    }

    // Source coordinate of output pixel o under a half-pixel-centred resize, clamped at the low edge as PyTorch does.
    // Shared with CpuCamKernels (one formula for both implementations).
    internal static void Tap(int o, int inSize, int outSize, out int i0, out int i1, out float frac)
    {
        float src = (o + 0.5f) * inSize / outSize - 0.5f;
        if (src < 0) src = 0;
        i0 = (int)src;
        if (i0 > inSize - 1) i0 = inSize - 1;
        i1 = i0 + 1 < inSize ? i0 + 1 : inSize - 1;
        frac = src - i0;
    }

    // One work item per output element (k, c, y, x): the guided gradient times the bilinear cam value.
    static void GuidedKernel(Index1D t, Work w, ArrayView<float> gb, ArrayView<float> cam, ArrayView<float> output, ResizeShape s)
    {
        int plane = s.OutH * s.OutW;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int i = ch; i < w.End(ch); i++)
            {
                int k = i / (s.Channels * plane), pix = i % plane, y = pix / s.OutW, x = pix % s.OutW;
                Tap(y, s.H, s.OutH, out int y0, out int y1, out float fy);
                Tap(x, s.W, s.OutW, out int x0, out int x1, out float fx);
                int b = k * s.H * s.W;
                float top = cam[b + y0 * s.W + x0] * (1 - fx) + cam[b + y0 * s.W + x1] * fx;
                float bottom = cam[b + y1 * s.W + x0] * (1 - fx) + cam[b + y1 * s.W + x1] * fx;
                output[i] = gb[i] * (top * (1 - fy) + bottom * fy);
            }
    }

    public void GuidedProduct(Tensor gb, Tensor cam, int camHeight, int camWidth, Tensor output)
    {
        int k = CamChecks.GuidedProduct(gb, cam, camHeight, camWidth, output);
        var (threads, w) = Plan(output.Length);
        _guided ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResizeShape>(GuidedKernel);
        _guided(threads, w, gb.View, cam.View, output.View, new ResizeShape(camHeight, camWidth, gb.Shape[2], gb.Shape[3], gb.Shape[1]));
    }

    internal readonly struct SeedShape(int level, int length, int plane)
    {
        public readonly int Level = level, Length = length, Plane = plane;
    }

    static float Sigmoid(float x) => 1f / (1f + XMath.Exp(-x));

    // One work item per target k: it writes the one or two non-zero entries of its seed on this level.
    static void SeedsKernel(Index1D t, Work w, ArrayView<float> output, ArrayView<float> table, ArrayView<float> scales,
        ArrayView<float> seed, SeedShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int k = ch; k < w.End(ch); k++)
            {
                if ((int)table[5 * k] != s.Level) continue;
                int obj = (int)table[5 * k + 1] * s.Plane + (int)table[5 * k + 3];
                int cls = (int)table[5 * k + 2] * s.Plane + (int)table[5 * k + 3];
                if (obj < 0 || obj >= s.Length || cls < 0 || cls >= s.Length) continue;
                float scale = scales[k];
                if (table[5 * k + 4] == 0) { seed[k * s.Length + cls] = scale; continue; }
                float so = Sigmoid(output[obj]), sc = Sigmoid(output[cls]);
                seed[k * s.Length + obj] = scale * so * (1 - so) * sc;
                seed[k * s.Length + cls] = scale * so * sc * (1 - sc);
            }
    }

    public void Seeds(Tensor output, Tensor table, Tensor scales, int level, Tensor seed)
    {
        int k = CamChecks.Seeds(output, table, scales, seed);
        _device.Backend.Fill(seed, 0f);
        var (threads, w) = Plan(k);
        if (threads == 0) return;
        _seeds ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SeedShape>(SeedsKernel);
        _seeds(threads, w, output.View, table.View, scales.View, seed.View, new SeedShape(level, output.Length, output.Shape[2] * output.Shape[3]));
    }
}
