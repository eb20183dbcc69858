using System.Runtime.CompilerServices;

namespace NativeCam.Tensors;

/// <summary>
/// Vector loops over one contiguous run of floats (a row, a segment of a range), shared by the kernels.
/// Each is written once for every width; sums keep four independent accumulators (the FMA/add latency
/// is four cycles) and fold them in a fixed order, so a result depends only on the data and the width.
/// Ragged ends go through a partial vector (lanes past the end hold a neutral value).
/// </summary>
internal static unsafe partial class Simd
{
    /// <summary>A whole vector when m = Count, else the first m lanes (zeros after).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V LoadUpTo<V>(float* p, int m) where V : unmanaged, IVec<V> => m == V.Count ? V.Load(p) : V.LoadPartial(p, m, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreUpTo<V>(V v, float* p, int m) where V : unmanaged, IVec<V>
    {
        if (m == V.Count) V.Store(v, p);
        else V.StorePartial(v, p, m);
    }

    /// <summary>Splits src[0, n) into its even (src[0], src[2], ..) and odd elements. Reads and writes whole vector
    /// pairs: up to 2·Count − 1 floats past n of src are read, and the lanes they give written, past each half.</summary>
    [MethodImpl(Simd.Hot)]
    public static void Deinterleave<V>(float* src, int n, float* even, float* odd) where V : unmanaged, IVec<V>
    {
        int c = V.Count;
        for (int i = 0; i < n; i += 2 * c)
        {
            V a = V.Load(src + i), b = V.Load(src + i + c);
            V.Store(V.Evens(a, b), even + i / 2);
            V.Store(V.Odds(a, b), odd + i / 2);
        }
    }

    /// <summary>Σ (x − shift): a shift near the data (e.g. its first element) keeps the partial sums small, so a row
    /// with a large common offset loses no precision to it.</summary>
    [MethodImpl(Simd.Hot)]
    public static float Sum<V>(float* x, int n, float shift = 0f) where V : unmanaged, IVec<V>
    {
        V s0 = V.Splat(0f), s1 = s0, s2 = s0, s3 = s0, m = V.Splat(shift);
        int c = V.Count, i = 0;
        for (; i <= n - 4 * c; i += 4 * c)
        {
            s0 += V.Load(x + i) - m;
            s1 += V.Load(x + i + c) - m;
            s2 += V.Load(x + i + 2 * c) - m;
            s3 += V.Load(x + i + 3 * c) - m;
        }
        for (; i <= n - c; i += c) s0 += V.Load(x + i) - m;
        if (i < n) s1 += V.LoadPartial(x + i, n - i, shift) - m;
        return V.Sum(s0 + s1 + (s2 + s3));
    }

    /// <summary>Σ (x − mean)², the second pass of a two-pass variance (no cancellation when |mean| ≫ std).</summary>
    [MethodImpl(Simd.Hot)]
    public static float SumSquaredDeviations<V>(float* x, int n, float mean) where V : unmanaged, IVec<V>
    {
        V m = V.Splat(mean), s0 = V.Splat(0f), s1 = s0;
        int c = V.Count, i = 0;
        for (; i <= n - 2 * c; i += 2 * c)
        {
            var d0 = V.Load(x + i) - m;
            var d1 = V.Load(x + i + c) - m;
            s0 = V.Fma(d0, d0, s0);
            s1 = V.Fma(d1, d1, s1);
        }
        for (; i <= n - c; i += c)
        {
            var d = V.Load(x + i) - m;
            s0 = V.Fma(d, d, s0);
        }
        if (i < n)
        {
            var d = V.LoadPartial(x + i, n - i, mean) - m;
            s1 = V.Fma(d, d, s1);
        }
        return V.Sum(s0 + s1);
    }

    [MethodImpl(Simd.Hot)]
    public static float Dot<V>(float* a, float* b, int n) where V : unmanaged, IVec<V>
    {
        V s0 = V.Splat(0f), s1 = s0, s2 = s0, s3 = s0;
        int c = V.Count, i = 0;
        for (; i <= n - 4 * c; i += 4 * c)
        {
            s0 = V.Fma(V.Load(a + i), V.Load(b + i), s0);
            s1 = V.Fma(V.Load(a + i + c), V.Load(b + i + c), s1);
            s2 = V.Fma(V.Load(a + i + 2 * c), V.Load(b + i + 2 * c), s2);
            s3 = V.Fma(V.Load(a + i + 3 * c), V.Load(b + i + 3 * c), s3);
        }
        for (; i <= n - c; i += c) s0 = V.Fma(V.Load(a + i), V.Load(b + i), s0);
        if (i < n) s1 = V.Fma(V.LoadPartial(a + i, n - i, 0f), V.LoadPartial(b + i, n - i, 0f), s1);
        return V.Sum(s0 + s1 + (s2 + s3));
    }

    /// <summary>The largest element (NaN-free rows: which of two equal zeros it returns is unspecified).</summary>
    [MethodImpl(Simd.Hot)]
    public static float Max<V>(float* x, int n) where V : unmanaged, IVec<V>
    {
        int c = V.Count, i = 0;
        if (n < c) return V.MaxAcross(V.LoadPartial(x, n, float.NegativeInfinity));
        V m0 = V.Load(x), m1 = m0;
        for (i = c; i <= n - 2 * c; i += 2 * c)
        {
            m0 = V.Max(m0, V.Load(x + i));
            m1 = V.Max(m1, V.Load(x + i + c));
        }
        for (; i <= n - c; i += c) m0 = V.Max(m0, V.Load(x + i));
        if (i < n) m1 = V.Max(m1, V.LoadPartial(x + i, n - i, float.NegativeInfinity));
        return V.MaxAcross(V.Max(m0, m1));
    }

    /// <summary>Index of the first element equal to <paramref name="value"/>, or −1.</summary>
    [MethodImpl(Simd.Hot)]
    public static int IndexOf<V>(float* x, int n, float value) where V : unmanaged, IVec<V>
    {
        var v = V.Splat(value);
        int c = V.Count, i = 0;
        for (; i <= n - c; i += c)
        {
            int lane = V.FirstSet(V.Equal(V.Load(x + i), v));
            if (lane >= 0) return i + lane;
        }
        for (; i < n; i++)
            if (x[i] == value) return i;
        return -1;
    }

    [MethodImpl(Simd.Hot)]
    public static void Fill<V>(float* y, int n, float value) where V : unmanaged, IVec<V>
    {
        var v = V.Splat(value);
        int c = V.Count, i = 0;
        for (; i <= n - c; i += c) V.Store(v, y + i);
        for (; i < n; i++) y[i] = value;
    }

    /// <summary>y = x · s (in place when y = x).</summary>
    [MethodImpl(Simd.Hot)]
    public static void Scale<V>(float* x, float* y, int n, float s) where V : unmanaged, IVec<V>
    {
        var v = V.Splat(s);
        int c = V.Count, i = 0;
        for (; i <= n - c; i += c) V.Store(V.Load(x + i) * v, y + i);
        for (; i < n; i++) y[i] = x[i] * s;
    }

    /// <summary>y = x / d, elementwise division by one value (exact as the scalar division, unlike · 1/d).</summary>
    [MethodImpl(Simd.Hot)]
    public static void Divide<V>(float* x, float* y, int n, float d) where V : unmanaged, IVec<V>
    {
        var v = V.Splat(d);
        int c = V.Count, i = 0;
        for (; i <= n - c; i += c) V.Store(V.Load(x + i) / v, y + i);
        for (; i < n; i++) y[i] = x[i] / d;
    }

    /// <summary>y += x.</summary>
    [MethodImpl(Simd.Hot)]
    public static void Add<V>(float* x, float* y, int n) where V : unmanaged, IVec<V>
    {
        int c = V.Count, i = 0;
        for (; i <= n - c; i += c) V.Store(V.Load(y + i) + V.Load(x + i), y + i);
        for (; i < n; i++) y[i] += x[i];
    }

    /// <summary>
    /// Column sums y[j] = Σ_r x[r·stride + j] for j &lt; n (and, with <paramref name="w"/>, Σ_r x·w at the same
    /// positions). Columns are taken four vectors at a time so that the accumulators stay in registers while
    /// the rows stream by; each column is summed in row order.
    /// </summary>
    [MethodImpl(Simd.Hot)]
    public static void ColumnSums<V>(float* x, float* w, long stride, int rows, float* y, int n) where V : unmanaged, IVec<V>
    {
        int c = V.Count, j = 0;
        for (; j <= n - 4 * c; j += 4 * c)
        {
            V s0 = V.Splat(0f), s1 = s0, s2 = s0, s3 = s0;
            for (int r = 0; r < rows; r++)
            {
                float* p = x + r * stride + j;
                if (w == null)
                {
                    s0 += V.Load(p);
                    s1 += V.Load(p + c);
                    s2 += V.Load(p + 2 * c);
                    s3 += V.Load(p + 3 * c);
                }
                else
                {
                    float* q = w + r * stride + j;
                    s0 = V.Fma(V.Load(p), V.Load(q), s0);
                    s1 = V.Fma(V.Load(p + c), V.Load(q + c), s1);
                    s2 = V.Fma(V.Load(p + 2 * c), V.Load(q + 2 * c), s2);
                    s3 = V.Fma(V.Load(p + 3 * c), V.Load(q + 3 * c), s3);
                }
            }
            V.Store(s0, y + j);
            V.Store(s1, y + j + c);
            V.Store(s2, y + j + 2 * c);
            V.Store(s3, y + j + 3 * c);
        }
        for (; j < n; j += c)
        {
            int m = Math.Min(c, n - j);
            V s = V.Splat(0f);
            for (int r = 0; r < rows; r++)
            {
                var v = LoadUpTo<V>(x + r * stride + j, m);
                s = w == null ? s + v : V.Fma(v, LoadUpTo<V>(w + r * stride + j, m), s);
            }
            StoreUpTo(s, y + j, m);
        }
    }

    /// <summary>
    /// Column maxima with the first-maximum rule: y[j] = x[r*·stride + j] for the first r* with the largest value
    /// (a later element replaces the best only when strictly greater), and optionally that r* in <paramref name="argmax"/>.
    /// </summary>
    [MethodImpl(Simd.Hot)]
    public static void ColumnMax<V>(float* x, long stride, int rows, float* y, int* argmax, int n) where V : unmanaged, IVec<V>
    {
        int c = V.Count;
        bool exactIndex = rows <= 1 << 24; // row numbers ride in float lanes
        float* rowsOf = stackalloc float[c];
        for (int j = 0; j < n; j += c)
        {
            int m = Math.Min(c, n - j);
            if (!exactIndex)
            {
                for (int q = j; q < j + m; q++)
                {
                    float best = x[q];
                    int arg = 0;
                    for (int r = 1; r < rows; r++)
                        if (x[r * stride + q] > best) { best = x[r * stride + q]; arg = r; }
                    y[q] = best;
                    if (argmax != null) argmax[q] = arg;
                }
                continue;
            }
            V bestValue = LoadUpTo<V>(x + j, m), bestRow = V.Splat(0f);
            for (int r = 1; r < rows; r++)
            {
                var v = LoadUpTo<V>(x + r * stride + j, m);
                var greater = V.Greater(v, bestValue);
                bestValue = V.Select(greater, v, bestValue);
                bestRow = V.Select(greater, V.Splat(r), bestRow);
            }
            StoreUpTo(bestValue, y + j, m);
            if (argmax != null)
            {
                V.Store(bestRow, rowsOf);
                for (int q = 0; q < m; q++) argmax[j + q] = (int)rowsOf[q];
            }
        }
    }
}
