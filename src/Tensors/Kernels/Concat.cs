using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// Channel-slab copy: the whole of concat along channels, forward (input → slice of output) and backward
// (slice of the gradient → input gradient) being the same copy with the offsets on the other side.
public sealed partial class IlgpuBackend
{
    /// <summary>A copy of Channels channels × Inner elements per image between [B, SrcC, Inner] and [B, DstC, Inner].</summary>
    internal readonly struct ChannelSlab(int channels, int inner, int srcChannels, int srcOffset, int dstChannels, int dstOffset)
    {
        public readonly int Channels = channels, Inner = inner, SrcC = srcChannels, SrcOff = srcOffset, DstC = dstChannels, DstOff = dstOffset;
    }

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, ChannelSlab>? _copyChannels;

    // Work item: one copied element (b, c, j) of the slab.
    static void CopyChannelsKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst, ChannelSlab s)
    {
        int slab = s.Channels * s.Inner;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int b = i / slab, r = i % slab;
                int ch = r / s.Inner, j = r % s.Inner;
                dst[(b * s.DstC + s.DstOff + ch) * s.Inner + j] = src[(b * s.SrcC + s.SrcOff + ch) * s.Inner + j];
            }
    }

    public void CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner)
    {
        int batch = BackendChecks.CopyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, channels, inner);
        var (threads, w) = Plan(batch * channels * inner);
        if (threads == 0) return;
        _copyChannels ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, ChannelSlab>(CopyChannelsKernel);
        _copyChannels(threads, w, src.View, dst.View, new ChannelSlab(channels, inner, srcChannels, srcOffset, dstChannels, dstOffset));
    }
}
