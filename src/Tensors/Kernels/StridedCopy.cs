using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

// One strided copy serves permute, transpose, narrow and their backward passes: an index space of up to
// 8 dimensions, with a source and a destination stride per dimension. One work item per element copied;
// the destination addresses are distinct, so every item owns its output.
public sealed partial class IlgpuBackend
{
    /// <summary>Dimensions the copy kernel handles (rank-6 tensors plus a K-target dimension fit with room).</summary>
    public const int MaxCopyRank = 8;

    Action<Index1D, Work, ArrayView<float>, ArrayView<float>, CopyLayout>? _stridedCopy;

    /// <summary>One dimension of the index space: its size and the step it takes in source and destination.</summary>
    internal readonly struct Axis(int size, int src, int dst)
    {
        public readonly int Size = size, Src = src, Dst = dst;
    }

    /// <summary>A flat index being split into coordinates, innermost dimension first, with the offsets so far.</summary>
    internal readonly struct Cursor(int rest, int src, int dst)
    {
        public readonly int Rest = rest, Src = src, Dst = dst;

        public Cursor Peel(Axis a)
        {
            int i = Rest % a.Size;
            return new Cursor(Rest / a.Size, Src + i * a.Src, Dst + i * a.Dst);
        }
    }

    /// <summary>The index space, outermost dimension A0 first; unused leading dimensions have size 1.</summary>
    internal readonly struct CopyLayout(Axis[] axes, int srcOffset, int dstOffset)
    {
        public readonly Axis A0 = axes[0], A1 = axes[1], A2 = axes[2], A3 = axes[3],
            A4 = axes[4], A5 = axes[5], A6 = axes[6], A7 = axes[7];
        public readonly int SrcOffset = srcOffset, DstOffset = dstOffset;
    }

    static void StridedCopyKernel(Index1D t, Work w, ArrayView<float> src, ArrayView<float> dst, CopyLayout l)
    {
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                var p = new Cursor(i, l.SrcOffset, l.DstOffset)
                    .Peel(l.A7).Peel(l.A6).Peel(l.A5).Peel(l.A4).Peel(l.A3).Peel(l.A2).Peel(l.A1).Peel(l.A0);
                dst[p.Dst] = src[p.Src];
            }
    }

    /// <summary>
    /// Drops size-1 dimensions and merges neighbours that are contiguous in both source and destination
    /// (a permute of [B, T, H, D] keeps D whole), so most copies need only two or three dimensions.
    /// </summary>
    static List<Axis> Simplify(int[] shape, int[] srcStrides, int[] dstStrides)
    {
        var axes = new List<Axis>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            var a = new Axis(shape[d], srcStrides[d], dstStrides[d]);
            if (axes.Count > 0)
            {
                var last = axes[^1];
                if (last.Src == a.Src * a.Size && last.Dst == a.Dst * a.Size)
                {
                    axes[^1] = new Axis(last.Size * a.Size, a.Src, a.Dst);
                    continue;
                }
            }
            axes.Add(a);
        }
        return axes;
    }

    public void StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset)
    {
        int count = BackendChecks.StridedCopy(src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset);
        if (count == 0) return;
        var axes = Simplify(shape, srcStrides, dstStrides);
        Require(axes.Count <= MaxCopyRank, $"strided copy: {axes.Count} dimensions after merging, at most {MaxCopyRank}");
        while (axes.Count < MaxCopyRank) axes.Insert(0, new Axis(1, 0, 0));
        var layout = new CopyLayout([.. axes], srcOffset, dstOffset);
        var (threads, w) = Plan(count);
        _stridedCopy ??= _acc.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<float>, ArrayView<float>, CopyLayout>(StridedCopyKernel);
        _stridedCopy(threads, w, src.View, dst.View, layout);
    }
}
