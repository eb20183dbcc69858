using System.Runtime.CompilerServices;
using NativeCam.Tensors;

namespace NativeCam.Cam;

// Score-CAM's masks on the SIMD CPU backend: the ILGPU kernels' arithmetic (same taps, same blend order), so both
// backends give identical masks; work items are channels (ranges) and masked-input rows (b, y).
public sealed unsafe partial class CpuCamKernels
{
    public void UpsampledRange(Tensor a, int height, int width, Tensor range)
    {
        int c = ScoreMaskChecks.Range(a, height, width, range);
        Simd.For(_width, c, 1, new RangeRows(a.Pointer, range.Pointer, a.Shape[2], a.Shape[3], height, width));
    }

    public void ScoreMasks(Tensor image, Tensor a, int first, Tensor range, Tensor output)
    {
        int b = ScoreMaskChecks.Masks(image, a, first, range, output);
        int height = image.Shape[2], width = image.Shape[3];
        Simd.For(_width, b * height, Simd.PerRange(4L * width), new MaskRows(image.Pointer, a.Pointer, range.Pointer, output.Pointer,
            first, a.Shape[2], a.Shape[3], height, width, image.Shape[1]));
    }

    // The aligned-corner bilinear value of plane p (h×w floats) at output pixel (y, x) of an [outH, outW] resize.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Corner(float* p, int h, int w, int outH, int outW, int y, int x)
    {
        ScoreMaskChecks.CornerTap(y, h, outH, out int y0, out int y1, out float fy);
        ScoreMaskChecks.CornerTap(x, w, outW, out int x0, out int x1, out float fx);
        float top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx;
        float bottom = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /// <summary>Channel c: range[c] = (min, max) of its resized plane.</summary>
    readonly struct RangeRows(float* a, float* range, int h, int w, int outH, int outW) : ISimdKernel
    {
        readonly float* _a = a, _range = range;
        readonly int _h = h, _w = w, _outH = outH, _outW = outW;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int c = start; c < end; c++)
            {
                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                for (int y = 0; y < _outH; y++)
                    for (int x = 0; x < _outW; x++)
                    {
                        float v = Corner(_a + (long)c * _h * _w, _h, _w, _outH, _outW, y, x);
                        lo = v < lo ? v : lo;
                        hi = v > hi ? v : hi;
                    }
                _range[2 * c] = lo;
                _range[2 * c + 1] = hi;
            }
        }
    }

    /// <summary>Row (b, y) of every image channel: image · the normalised mask of channel first + b.</summary>
    readonly struct MaskRows(float* image, float* a, float* range, float* output, int first, int h, int w, int outH, int outW, int channels) : ISimdKernel
    {
        readonly float* _image = image, _a = a, _range = range, _output = output;
        readonly int _first = first, _h = h, _w = w, _outH = outH, _outW = outW, _channels = channels;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            long plane = (long)_outH * _outW;
            for (int r = start; r < end; r++)
            {
                int b = r / _outH, y = r % _outH, c = _first + b;
                float lo = _range[2 * c], hi = _range[2 * c + 1];
                float* source = _a + (long)c * _h * _w;
                for (int x = 0; x < _outW; x++)
                {
                    float m = (Corner(source, _h, _w, _outH, _outW, y, x) - lo) / (hi - lo + 1e-8f);
                    long at = (long)y * _outW + x;
                    for (int ch = 0; ch < _channels; ch++)
                        _output[(b * _channels + ch) * plane + at] = _image[ch * plane + at] * m;
                }
            }
        }
    }
}
