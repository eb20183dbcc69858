using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NativeCam.Tensors;

// The micro-kernels: an MR×NR tile of C = Σ_p Ā[p, 0..MR) ⊗ B̄[p, 0..NR) over one K block of packed panels
// (Ā: kc steps of MR values, contiguous; B̄: kc rows of NR values, each contiguous, found through an IRows: the packed
// sliver's rows one after the other, or rows of an image, for a convolution's indirect GEMM), kept in registers
// the whole time.
// The store adds what the caller asks for: the old C (a later K block, or accumulate) and a per-row bias.
// Every kernel is written out by hand (no arrays of accumulators) so the JIT keeps them in registers.
internal static unsafe partial class Sgemm
{
    /// <summary>Where the kernel finds row p of its B̄ (NR contiguous floats).</summary>
    internal interface IRows
    {
        float* Row(int p);
    }

    /// <summary>A packed B̄ sliver: row p at b + p·NR.</summary>
    internal readonly struct SliverRows(float* b, int nr) : IRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => b + p * nr;
    }

    /// <summary>Rows anywhere: row p at origin + offsets[p] (ConvIndirect: the image row a tap reads).</summary>
    internal readonly struct OffsetRows(float* origin, int* offsets) : IRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => origin + offsets[p];
    }

    /// <summary>One register-blocked tile shape and the code that computes it.</summary>
    internal interface IMicroKernel
    {
        /// <summary>Rows of the tile (values of Ā per K step).</summary>
        static abstract int MR { get; }

        /// <summary>Columns of the tile (values of B̄ per K step).</summary>
        static abstract int NR { get; }

        /// <summary>
        /// c[r·cRow + j] = Σ_p a[p·MR + r]·B̄[p, j] (+ c[..] when <paramref name="load"/>) (+ bias[r] when
        /// bias is not null), for the full MR×NR tile; B̄[p, j] = b.Row(p)[j]; C's columns are contiguous.
        /// </summary>
        static abstract void Run<TRows>(int kc, float* a, TRows b, float* c, long cRow, bool load, float* bias) where TRows : IRows;
    }

    /// <summary>
    /// 8×32 with Vector512 FMA: 16 zmm accumulators; per K step two 16-wide loads of B̄ and eight broadcast
    /// loads of Ā (vbroadcastss) feed 16 FMAs, more independent chains than two FMA pipes of latency 4 need.
    /// 8 rows suit the models' row counts: channel counts are multiples of 8, and 255 and 197 pad 1 and 3 rows.
    /// </summary>
    internal readonly struct Kernel512 : IMicroKernel
    {
        public static int MR => 8;
        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TRows>(int kc, float* a, TRows b, float* c, long cRow, bool load, float* bias) where TRows : IRows
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default,
                c20 = default, c21 = default, c30 = default, c31 = default,
                c40 = default, c41 = default, c50 = default, c51 = default,
                c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < kc; p++)
            {
                float* row = b.Row(p);
                var b0 = Vector512.Load(row);
                var b1 = Vector512.Load(row + 16);
                var x = Vector512.Create(a[0]);
                c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[1]);
                c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[2]);
                c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[3]);
                c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
                a += 8;
            }
            Store(c, c00, c01, load, bias, 0);
            Store(c + cRow, c10, c11, load, bias, 1);
            Store(c + 2 * cRow, c20, c21, load, bias, 2);
            Store(c + 3 * cRow, c30, c31, load, bias, 3);
            Store(c + 4 * cRow, c40, c41, load, bias, 4);
            Store(c + 5 * cRow, c50, c51, load, bias, 5);
            Store(c + 6 * cRow, c60, c61, load, bias, 6);
            Store(c + 7 * cRow, c70, c71, load, bias, 7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store(float* c, Vector512<float> v0, Vector512<float> v1, bool load, float* bias, int row)
        {
            if (load)
            {
                v0 += Vector512.Load(c);
                v1 += Vector512.Load(c + 16);
            }
            if (bias != null)
            {
                var r = Vector512.Create(bias[row]);
                v0 += r;
                v1 += r;
            }
            Vector512.Store(v0, c);
            Vector512.Store(v1, c + 16);
        }
    }

    /// <summary>
    /// 6 rows × two vectors of V: 6×16 with Vector256 (AVX2 machines: 12 ymm accumulators, two B̄ rows and a
    /// broadcast fit in 16 registers) and 6×8 with Vector128 (ARM64 NEON, or x64 without AVX). Written once against
    /// IVec&lt;V&gt;; the JIT specialises it per width and inlines the wrappers to bare FMAs.
    /// </summary>
    internal readonly struct Kernel6<V> : IMicroKernel where V : unmanaged, IVec<V>
    {
        public static int MR => 6;
        public static int NR => 2 * V.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TRows>(int kc, float* a, TRows b, float* c, long cRow, bool load, float* bias) where TRows : IRows
        {
            int w = V.Count;
            V c00 = V.Splat(0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
            for (int p = 0; p < kc; p++)
            {
                float* row = b.Row(p);
                var b0 = V.Load(row);
                var b1 = V.Load(row + w);
                var x = V.Splat(a[0]);
                c00 = V.Fma(x, b0, c00);
                c01 = V.Fma(x, b1, c01);
                x = V.Splat(a[1]);
                c10 = V.Fma(x, b0, c10);
                c11 = V.Fma(x, b1, c11);
                x = V.Splat(a[2]);
                c20 = V.Fma(x, b0, c20);
                c21 = V.Fma(x, b1, c21);
                x = V.Splat(a[3]);
                c30 = V.Fma(x, b0, c30);
                c31 = V.Fma(x, b1, c31);
                x = V.Splat(a[4]);
                c40 = V.Fma(x, b0, c40);
                c41 = V.Fma(x, b1, c41);
                x = V.Splat(a[5]);
                c50 = V.Fma(x, b0, c50);
                c51 = V.Fma(x, b1, c51);
                a += 6;
            }
            Store(c, c00, c01, load, bias, 0);
            Store(c + cRow, c10, c11, load, bias, 1);
            Store(c + 2 * cRow, c20, c21, load, bias, 2);
            Store(c + 3 * cRow, c30, c31, load, bias, 3);
            Store(c + 4 * cRow, c40, c41, load, bias, 4);
            Store(c + 5 * cRow, c50, c51, load, bias, 5);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store(float* c, V v0, V v1, bool load, float* bias, int row)
        {
            if (load)
            {
                v0 += V.Load(c);
                v1 += V.Load(c + V.Count);
            }
            if (bias != null)
            {
                var r = V.Splat(bias[row]);
                v0 += r;
                v1 += r;
            }
            V.Store(v0, c);
            V.Store(v1, c + V.Count);
        }
    }

    /// <summary>4×4 in scalar registers: the fallback where no vector unit is accelerated (and a test oracle path).</summary>
    internal readonly struct KernelScalar : IMicroKernel
    {
        public static int MR => 4;
        public static int NR => 4;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TRows>(int kc, float* a, TRows b, float* c, long cRow, bool load, float* bias) where TRows : IRows
        {
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
                c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (int p = 0; p < kc; p++)
            {
                float* row = b.Row(p);
                float b0 = row[0], b1 = row[1], b2 = row[2], b3 = row[3];
                float x = a[0];
                c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
                x = a[1];
                c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
                x = a[2];
                c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
                x = a[3];
                c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
                a += 4;
            }
            Store(c, c00, c01, c02, c03, load, bias, 0);
            Store(c + cRow, c10, c11, c12, c13, load, bias, 1);
            Store(c + 2 * cRow, c20, c21, c22, c23, load, bias, 2);
            Store(c + 3 * cRow, c30, c31, c32, c33, load, bias, 3);
        }

        static void Store(float* c, float v0, float v1, float v2, float v3, bool load, float* bias, int row)
        {
            float r = bias != null ? bias[row] : 0f;
            if (load)
            {
                v0 += c[0];
                v1 += c[1];
                v2 += c[2];
                v3 += c[3];
            }
            c[0] = v0 + r;
            c[1] = v1 + r;
            c[2] = v2 + r;
            c[3] = v3 + r;
        }
    }

    /// <summary>
    /// Writes the valid rows × cols corner of a tile computed into a scratch buffer (row stride nr) to C through
    /// any strides: the edge tiles and C with non-unit column stride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void StorePartial(float* tile, int nr, int rows, int cols, float* c, long cRow, long cCol, bool load, float* bias)
    {
        for (int r = 0; r < rows; r++)
        {
            float add = bias != null ? bias[r] : 0f;
            float* src = tile + r * nr, dst = c + r * cRow;
            for (int j = 0; j < cols; j++)
            {
                float v = src[j] + add;
                dst[j * cCol] = load ? dst[j * cCol] + v : v;
            }
        }
    }
}
