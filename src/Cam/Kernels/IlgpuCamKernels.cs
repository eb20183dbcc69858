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
public sealed class IlgpuCamKernels : KernelSet, ICamKernels
{
    static readonly ConditionalWeakTable<Device, IlgpuCamKernels> _cache = new();

    IlgpuCamKernels(Device device) : base(device) { }

    /// <summary>The kernels of <paramref name="device"/> (compiled on first use, then cached).</summary>
    public static IlgpuCamKernels For(Device device) => _cache.GetValue(device, d => new IlgpuCamKernels(d));

    /// <summary>Sizes of a layer: C channels of P pixels, K targets.</summary>
    internal readonly struct LayerShape(int k, int c, int p)
    {
        public readonly int K = k, C = c, P = p;
    }

    // The checks below are shared with CpuCamKernels, so both implementations refuse the same calls alike.
    /// <summary>LayerCAM / HiResCAM: K maps of P pixels over an activation of C·P and a gradient of K·C·P.</summary>
    internal static LayerShape PixelSumShape(CamMethod method, Tensor a, Tensor g, Tensor map)
    {
        Require(method is CamMethod.LayerCam or CamMethod.HiResCam, $"pixel sum: {method} is not a per-pixel weighting");
        int k = g.Length / Math.Max(1, a.Length);
        Require(k > 0 && map.Length % k == 0 && map.Length > 0 && a.Length % (map.Length / k) == 0,
            $"{method}: a map of {map.Length} does not fit {k} targets over an activation of {a.Length}");
        return Shape(a, g, a.Length / (map.Length / k), $"{method}");
    }

    internal static LayerShape Shape(Tensor a, Tensor g, int channels, string what)
    {
        Require(channels > 0 && a.Length % channels == 0 && a.Length > 0, $"{what}: activation of {a.Length} elements has no {channels} channels");
        Require(g.Length % a.Length == 0 && g.Length > 0, $"{what}: gradient of {g.Length} elements is not K copies of the activation's {a.Length}");
        return new LayerShape(g.Length / a.Length, channels, a.Length / channels);
    }

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
        Require(method is CamMethod.GradCam or CamMethod.GradCamPlusPlus or CamMethod.XGradCam,
            $"channel weights: {method} does not weight channels");
        Require(weights.Length > 0 && g.Length % weights.Length == 0, $"{method} weights: {weights.Length} weights for a gradient of {g.Length}");
        int k = g.Length / a.Length;
        Require(k > 0 && weights.Length % k == 0, $"{method} weights: {weights.Length} weights for {k} targets");
        var s = Shape(a, g, weights.Length / k, $"{method} weights");
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
                    sum += gv * a[c * s.P + p];
                }
                map[item] = sum > 0 ? sum : 0f;
            }
    }

    public void WeightedSum(Tensor a, Tensor weights, Tensor map)
    {
        Require(weights.Rank == 2 && weights.Length > 0 && map.Rank >= 1 && map.Shape[0] == weights.Shape[0],
            $"weighted sum: weights {Tensor.Format(weights.Shape)} must be [K, C] and the map [K, ..]; map is {Tensor.Format(map.Shape)}");
        int k = weights.Shape[0], c = weights.Shape[1];
        Require((long)c * (map.Length / k) == a.Length, $"weighted sum: {c} channels of {map.Length / k} pixels do not make an activation of {a.Length}");
        var s = new LayerShape(k, c, map.Length / k);
        var (threads, w) = Plan(map.Length);
        _weightedSum ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerShape>(WeightedSumKernel);
        _weightedSum(threads, w, a.View, weights.View, map.View, s);
    }

    public void PixelSum(CamMethod method, Tensor a, Tensor g, Tensor map)
    {
        var s = PixelSumShape(method, a, g, map);
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
        Require(x.Length == g.Length && a.Length > 0 && g.Length % a.Length == 0,
            $"A·G product: activation {a.Length}, gradient {g.Length}, output {x.Length}");
        var (threads, w) = Plan(x.Length);
        _product ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ProductKernel);
        _product(threads, w, a.View, g.View, x.View);
    }

    /// <summary>Floats of scratch <see cref="EigenProjection"/> needs for K matrices of C channels over P pixels.</summary>
    public static int EigenScratch(int k, int channels, int pixels) => k * (channels * channels + 3 * channels + 1) + k * pixels;

    public void EigenProjection(Tensor x, int channels, int pixels, Tensor map, int iterations, Tensor scratch)
    {
        Require(channels > 0 && pixels > 0 && x.Length % (channels * pixels) == 0 && x.Length > 0,
            $"eigen projection: {x.Length} elements are not K matrices of {channels}x{pixels}");
        int k = x.Length / (channels * pixels);
        Require(map.Length == k * pixels, $"eigen projection: map of {map.Length} for {k} maps of {pixels} pixels");
        Require(iterations >= 1, "eigen projection: at least one power-iteration step");
        Require(scratch.Length >= EigenScratch(k, channels, pixels), $"eigen projection: scratch of {scratch.Length} < {EigenScratch(k, channels, pixels)}");
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
        Require(pixels > 0 && map.Length % pixels == 0 && range.Length == 2 * (map.Length / pixels),
            $"map range: {map.Length} values in maps of {pixels}, range of {range.Length}");
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
        Require(height > 0 && width > 0 && count > 0 && (long)count * height * width <= a.Length,
            $"feature grid: {count} channels of {height}x{width} from an activation of {a.Length}");
        Require(rows * cols >= count && grid.Length == rows * height * cols * width,
            $"feature grid: {rows}x{cols} cells for {count} channels, grid of {grid.Length}");
        Require(scratch.Length >= 2 * count, "feature grid: scratch holds a range per channel");
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
        Require(gb.Rank == 4 && output.Length == gb.Length, $"guided Grad-CAM: guided gradient {Tensor.Format(gb.Shape)} must be [K, C, H, W] like the output");
        int k = gb.Shape[0];
        Require(camHeight > 0 && camWidth > 0 && cam.Length == k * camHeight * camWidth,
            $"guided Grad-CAM: cam of {cam.Length} is not {k} maps of {camHeight}x{camWidth}");
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
        Require(output.Rank == 4 && output.Shape[0] == 1, $"seeds: Detect output {Tensor.Format(output.Shape)} must be one image [1, C, ny, nx]");
        int k = scales.Length;
        Require(table.Length == 5 * k && seed.Length == k * output.Length, $"seeds: {k} targets, table of {table.Length}, seed of {seed.Length}");
        _device.Backend.Fill(seed, 0f);
        var (threads, w) = Plan(k);
        if (threads == 0) return;
        _seeds ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SeedShape>(SeedsKernel);
        _seeds(threads, w, output.View, table.View, scales.View, seed.View, new SeedShape(level, output.Length, output.Shape[2] * output.Shape[3]));
    }
}
