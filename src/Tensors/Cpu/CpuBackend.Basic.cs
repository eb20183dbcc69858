using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

// Fill, accumulate and the fold of the K targets: memory-bound loops, split in ranges of 16K+ elements.
public sealed unsafe partial class CpuBackend
{
    /// <summary>The vector width of the pointwise, dense and spatial kernels (the widest the CPU accelerates).</summary>
    readonly SimdWidth _width = Simd.Resolve(SimdWidth.Auto);

    /// <summary>A backend whose pointwise, dense and spatial kernels use at most <paramref name="width"/> (tests, benchmarks).</summary>
    public CpuBackend(Device device, SimdWidth width) : this(device) => _width = Simd.Resolve(width);

    /// <summary>The vector width the kernels run with on this machine.</summary>
    public SimdWidth Width => _width;

    public void Fill(Tensor t, float value)
    {
        if (t.Length == 0) return;
        Simd.For(_width, t.Length, 4 * ElementsPerRange, new FillKernel(t.Pointer, value));
    }

    public void Accumulate(Tensor src, Tensor dst)
    {
        SameLength(src, dst, "accumulate");
        if (dst.Length == 0) return;
        Simd.For(_width, dst.Length, ElementsPerRange, new AccumulateKernel(src.Pointer, dst.Pointer));
    }

    /// <summary>dst[j] = Σ_k src[k·n + j]: column sums of src viewed as [K, n], each range owning a block of columns.</summary>
    public void SumLeading(Tensor src, Tensor dst)
    {
        int k = TargetCount(dst, src, "sum over targets");
        Simd.For(_width, dst.Length, Simd.PerRange(k), new SumLeadingKernel(src.Pointer, dst.Pointer, k, dst.Length));
    }

    readonly struct FillKernel(float* t, float value) : ISimdKernel
    {
        readonly float* _t = t;
        readonly float _value = value;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V> => Simd.Fill<V>(_t + start, end - start, _value);
    }

    readonly struct AccumulateKernel(float* src, float* dst) : ISimdKernel
    {
        readonly float* _src = src, _dst = dst;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V> => Simd.Add<V>(_src + start, _dst + start, end - start);
    }

    readonly struct SumLeadingKernel(float* src, float* dst, int k, int n) : ISimdKernel
    {
        readonly float* _src = src, _dst = dst;
        readonly int _k = k, _n = n;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V> =>
            Simd.ColumnSums<V>(_src + start, null, _n, _k, _dst + start, end - start);
    }
}
