using ILGPU;
using ILGPU.Runtime;
using NativeCam.Tensors;

namespace NativeCam.Cam;

// Score-CAM's masks: each channel of the layer resized to the input with aligned corners, min-max normalised,
// multiplied into the image. The resized planes are never stored: both kernels recompute the four-tap blend.
public sealed partial class IlgpuCamKernels
{
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape>? _upsampledRange;
    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResizeShape, int>? _scoreMasks;

    // The aligned-corner bilinear value of plane `b` (offset into A) at output pixel (y, x).
    static float Corner(ArrayView<float> a, int b, int y, int x, ResizeShape s)
    {
        ScoreMaskChecks.CornerTap(y, s.H, s.OutH, out int y0, out int y1, out float fy);
        ScoreMaskChecks.CornerTap(x, s.W, s.OutW, out int x0, out int x1, out float fx);
        float top = a[b + y0 * s.W + x0] * (1 - fx) + a[b + y0 * s.W + x1] * fx;
        float bottom = a[b + y1 * s.W + x0] * (1 - fx) + a[b + y1 * s.W + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    // One work item per channel: it walks the channel's resized plane for its min and max.
    static void UpsampledRangeKernel(Index1D t, Work w, ArrayView<float> a, ArrayView<float> range, ResizeShape s)
    {
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int c = ch; c < w.End(ch); c++)
            {
                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                for (int y = 0; y < s.OutH; y++)
                    for (int x = 0; x < s.OutW; x++)
                    {
                        float v = Corner(a, c * s.H * s.W, y, x, s);
                        lo = v < lo ? v : lo;
                        hi = v > hi ? v : hi;
                    }
                range[2 * c] = lo;
                range[2 * c + 1] = hi;
            }
    }

    // One work item per output element (b, ch, y, x): the image times channel first + b's normalised mask.
    static void ScoreMasksKernel(Index1D t, Work w, ArrayView<float> image, ArrayView<float> a, ArrayView<float> range,
        ArrayView<float> output, ResizeShape s, int first)
    {
        int plane = s.OutH * s.OutW;
        for (int ch = t * w.Chunk; ch < w.N; ch += w.Stride)
            for (int i = ch; i < w.End(ch); i++)
            {
                int b = i / (s.Channels * plane), rest = i % (s.Channels * plane), pix = rest % plane;
                int c = first + b;
                float lo = range[2 * c], hi = range[2 * c + 1];
                float v = Corner(a, c * s.H * s.W, pix / s.OutW, pix % s.OutW, s);
                output[i] = image[rest] * ((v - lo) / (hi - lo + 1e-8f));
            }
    }

    public void UpsampledRange(Tensor a, int height, int width, Tensor range)
    {
        int c = ScoreMaskChecks.Range(a, height, width, range);
        var (threads, w) = Plan(c);
        _upsampledRange ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ResizeShape>(UpsampledRangeKernel);
        _upsampledRange(threads, w, a.View, range.View, new ResizeShape(a.Shape[2], a.Shape[3], height, width, c));
    }

    public void ScoreMasks(Tensor image, Tensor a, int first, Tensor range, Tensor output)
    {
        ScoreMaskChecks.Masks(image, a, first, range, output);
        var (threads, w) = Plan(output.Length);
        _scoreMasks ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResizeShape, int>(ScoreMasksKernel);
        _scoreMasks(threads, w, image.View, a.View, range.View, output.View,
            new ResizeShape(a.Shape[2], a.Shape[3], image.Shape[2], image.Shape[3], image.Shape[1]), first);
    }
}
