using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// The SIMD CPU implementation of <see cref="ICamKernels"/> for the `cpu` device (<see cref="CamKernels.For"/>
/// picks it): plain C# on the host memory of the device's tensors (<see cref="Tensor.Pointer"/>), each kernel
/// written once over the vector width (<see cref="IVec{V}"/>: Vector512, Vector256 or one float) and split over
/// the cores with <see cref="Simd.For{K}"/>, every range owning its outputs. The formulas, edge cases and shape
/// checks are those of <see cref="IlgpuCamKernels"/>; only the summation order inside a reduction differs (vector
/// lanes, FMA), so results agree to float32 rounding. Work items: a (target, channel) row for channel weights;
/// a (block of 64 pixels, target) for the weighted channel sums, whose 64-pixel slice of A stays in L1 while the
/// C channels stream past; a 4×4 tile of row dot products for EigenCAM's covariance.
/// </summary>
public sealed unsafe partial class CpuCamKernels : ICamKernels
{
    /// <summary>Pixels per work item of the channel sums: 4 vectors of 16 lanes, kept in 4 accumulators.</summary>
    const int Block = 64;

    /// <summary>Elements per range of the streaming kernels (product): below this, splitting costs more than it saves.</summary>
    const int ElementsPerRange = 16384;

    readonly SimdWidth _width;

    /// <summary>Kernels that run with at most <paramref name="width"/> (tests compare the widths).</summary>
    public CpuCamKernels(SimdWidth width = SimdWidth.Auto) => _width = Simd.Resolve(width);

    /// <summary>The kernels at the widest vector width the CPU accelerates.</summary>
    public static CpuCamKernels Shared { get; } = new();

    /// <summary>The vector width the kernels run with on this machine.</summary>
    public SimdWidth Width => _width;

    // ---- channel weights: Grad-CAM, Grad-CAM++, XGrad-CAM --------------------------------------------

    public void ChannelWeights(CamMethod method, Tensor a, Tensor g, Tensor weights, float epsilon)
    {
        var s = CamChecks.ChannelWeights(method, a, g, weights);
        using var sums = new NativeBuffer(s.C);
        // S_c = Σ_p A[c, p], once per channel (not once per target).
        if (method != CamMethod.GradCam)
            Simd.For(_width, s.C, Simd.PerRange(s.P), new RowSums(a.Pointer, sums.Pointer, s.P));
        Simd.For(_width, s.K * s.C, Simd.PerRange(s.P), new ChannelWeightRows(method, a.Pointer, g.Pointer, sums.Pointer, weights.Pointer, s.C, s.P, epsilon));
    }

    /// <summary>sum[r] = Σ of row r.</summary>
    readonly struct RowSums(float* x, float* sum, int n) : ISimdKernel
    {
        readonly float* _x = x, _sum = sum;
        readonly int _n = n;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int r = start; r < end; r++) _sum[r] = Simd.Sum<V>(_x + (long)r * _n, _n);
        }
    }

    /// <summary>One item per (k, c): the channel's weight from its P gradient values (and activations, S_c).</summary>
    readonly struct ChannelWeightRows(CamMethod method, float* a, float* g, float* sumA, float* weights, int channels, int pixels, float eps) : ISimdKernel
    {
        readonly CamMethod _method = method;
        readonly float* _a = a, _g = g, _sumA = sumA, _weights = weights;
        readonly int _c = channels, _p = pixels;
        readonly float _eps = eps;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int item = start; item < end; item++)
            {
                int c = item % _c;
                float* g = _g + (long)item * _p, a = _a + (long)c * _p;
                float sumA = _method == CamMethod.GradCam ? 0f : _sumA[c];
                _weights[item] = _method switch
                {
                    CamMethod.GradCam => Simd.Sum<V>(g, _p) / _p,
                    CamMethod.XGradCam => sumA != 0 ? Simd.Dot<V>(g, a, _p) / sumA : 0f,
                    _ => PlusPlus<V>(g, _p, sumA, _eps),
                };
            }
        }

        /// <summary>Σ_p α·max(g, 0), α = g²/(2g² + S·g³ + ε); a pixel with g ≤ 0 or a zero denominator adds nothing.</summary>
        [MethodImpl(Simd.Hot)]
        static float PlusPlus<V>(float* g, int n, float sumA, float eps) where V : unmanaged, IVec<V>
        {
            V s0 = V.Splat(0f), s1 = s0, two = V.Splat(2f), sum = V.Splat(sumA), e = V.Splat(eps);
            int c = V.Count, i = 0;
            for (; i <= n - 2 * c; i += 2 * c)
            {
                s0 += Term(V.Load(g + i), two, sum, e);
                s1 += Term(V.Load(g + i + c), two, sum, e);
            }
            for (; i <= n - c; i += c) s0 += Term(V.Load(g + i), two, sum, e);
            if (i < n) s1 += Term(V.LoadPartial(g + i, n - i, 0f), two, sum, e); // g = 0 lanes add nothing
            return V.Sum(s0 + s1);
        }

        // The ILGPU kernel's arithmetic, operation for operation: 2g² + S·g²·g + ε, then g²/den·g.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static V Term<V>(V gv, V two, V sumA, V eps) where V : unmanaged, IVec<V>
        {
            var zero = V.Splat(0f);
            var g2 = gv * gv;
            var denominator = two * g2 + sumA * g2 * gv + eps;
            var term = V.Select(V.Equal(denominator, zero), zero, g2 / denominator * gv);
            return V.Select(V.Greater(gv, zero), term, zero);
        }
    }

    // ---- weighted channel sum and per-pixel weightings -------------------------------------------------

    public void WeightedSum(Tensor a, Tensor weights, Tensor map)
    {
        var s = CamChecks.WeightedSum(a, weights, map);
        Combine(a.Pointer, weights.Pointer, map.Pointer, null, s.K, s.C, s.P);
    }

    /// <summary>out[k, p] = Σ_c w[k, c]·x[k?, c, p], then ReLU (no <paramref name="divisors"/>) or / divisors[k] (0 where it is 0).</summary>
    void Combine(float* x, float* weights, float* output, float* divisors, int k, int c, int p, long xPerTarget = 0)
    {
        var kernel = new ChannelCombination(x, xPerTarget, weights, output, divisors, k, c, p);
        Simd.For(_width, kernel.Blocks * k, Simd.PerRange((long)c * Block), kernel);
    }

    /// <summary>
    /// Item (block b of 64 pixels, target k): the block's weighted channel sum (<see cref="WeightedRows{V}"/>), then
    /// the ILGPU kernel's ReLU, sum &gt; 0 ? sum : 0 (NaN → 0), or the division by divisors[k] (0 where it is 0).
    /// The block's C×64 floats of x stay in L1 for the next target.
    /// </summary>
    readonly struct ChannelCombination(float* x, long xPerTarget, float* weights, float* output, float* divisors, int k, int c, int p) : ISimdKernel
    {
        readonly float* _x = x, _weights = weights, _output = output, _divisors = divisors;
        readonly long _xPerTarget = xPerTarget;
        readonly int _k = k, _c = c, _p = p;

        public int Blocks => (_p + Block - 1) / Block;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int item = start; item < end; item++)
            {
                int b = item / _k, k = item % _k, p0 = b * Block, m = Math.Min(Block, _p - p0);
                float* y = _output + (long)k * _p + p0;
                WeightedRows<V>(_x + k * _xPerTarget + p0, _p, _c, _weights + (long)k * _c, y, m);
                if (_divisors == null) ReluInPlace<V>(y, m);
                else if (_divisors[k] > 0) Simd.Divide<V>(y, y, m, _divisors[k]);
                else Simd.Fill<V>(y, m, 0f);
            }
        }
    }

    /// <summary>
    /// y[j] = Σ_r w[r]·x[r·stride + j] for j &lt; m: the rows stream past 4 vector accumulators (64 columns at
    /// Vector512) that stay in registers; each column is summed in row order with FMAs.
    /// </summary>
    [MethodImpl(Simd.Hot)]
    static void WeightedRows<V>(float* x, long stride, int rows, float* w, float* y, int m) where V : unmanaged, IVec<V>
    {
        int n = V.Count, j = 0;
        for (; j <= m - 4 * n; j += 4 * n)
        {
            V s0 = V.Splat(0f), s1 = s0, s2 = s0, s3 = s0;
            float* row = x + j;
            for (int r = 0; r < rows; r++, row += stride)
            {
                var wr = V.Splat(w[r]);
                s0 = V.Fma(wr, V.Load(row), s0);
                s1 = V.Fma(wr, V.Load(row + n), s1);
                s2 = V.Fma(wr, V.Load(row + 2 * n), s2);
                s3 = V.Fma(wr, V.Load(row + 3 * n), s3);
            }
            V.Store(s0, y + j);
            V.Store(s1, y + j + n);
            V.Store(s2, y + j + 2 * n);
            V.Store(s3, y + j + 3 * n);
        }
        for (; j < m; j += n)
        {
            int left = Math.Min(n, m - j);
            V s = V.Splat(0f);
            float* row = x + j;
            for (int r = 0; r < rows; r++, row += stride)
                s = V.Fma(V.Splat(w[r]), left == n ? V.Load(row) : V.LoadPartial(row, left, 0f), s);
            if (left == n) V.Store(s, y + j);
            else V.StorePartial(s, y + j, left);
        }
    }

    /// <summary>y = y &gt; 0 ? y : 0.</summary>
    [MethodImpl(Simd.Hot)]
    static void ReluInPlace<V>(float* y, int m) where V : unmanaged, IVec<V>
    {
        int i = 0;
        for (; i <= m - V.Count; i += V.Count) V.Store(Relu(V.Load(y + i)), y + i);
        if (i < m) V.StorePartial(Relu(V.LoadPartial(y + i, m - i, 0f)), y + i, m - i);
    }

    public void PixelSum(CamMethod method, Tensor a, Tensor g, Tensor map)
    {
        var s = CamChecks.PixelSum(method, a, g, map);
        int mode = method switch { CamMethod.LayerCam => 1, CamMethod.GradCamElementWise => 2, _ => 0 };
        var kernel = new PixelCombination(a.Pointer, g.Pointer, map.Pointer, mode, s.K, s.C, s.P);
        Simd.For(_width, kernel.Blocks * s.K, Simd.PerRange(2L * s.C * Block), kernel);
    }

    /// <summary>Item (block of 64 pixels, k): map = ReLU(Σ_c term), term = g'·A with g' = max(g, 0) for LayerCAM (mode 1,
    /// g &lt; 0 ? 0 : g), g for HiResCAM (mode 0); term = max(g·A, 0) for Grad-CAM element-wise (mode 2).</summary>
    readonly struct PixelCombination(float* a, float* g, float* map, int mode, int k, int c, int p) : ISimdKernel
    {
        readonly float* _a = a, _g = g, _map = map;
        readonly int _mode = mode;
        readonly int _k = k, _c = c, _p = p;

        public int Blocks => (_p + Block - 1) / Block;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int item = start; item < end; item++)
            {
                int b = item / _k, k = item % _k, p0 = b * Block, m = Math.Min(Block, _p - p0);
                float* a = _a + p0, g = _g + (long)k * _c * _p + p0, y = _map + (long)k * _p + p0;
                int n = V.Count, j = 0;
                for (; j <= m - 2 * n; j += 2 * n)
                {
                    V s0 = V.Splat(0f), s1 = s0;
                    long offset = j;
                    for (int ch = 0; ch < _c; ch++, offset += _p)
                    {
                        s0 = Term(V.Load(g + offset), V.Load(a + offset), s0);
                        s1 = Term(V.Load(g + offset + n), V.Load(a + offset + n), s1);
                    }
                    V.Store(Relu(s0), y + j);
                    V.Store(Relu(s1), y + j + n);
                }
                for (; j < m; j += n)
                {
                    int r = Math.Min(n, m - j);
                    V s = V.Splat(0f);
                    long offset = j;
                    for (int ch = 0; ch < _c; ch++, offset += _p)
                        s = r == n ? Term(V.Load(g + offset), V.Load(a + offset), s)
                            : Term(V.LoadPartial(g + offset, r, 0f), V.LoadPartial(a + offset, r, 0f), s);
                    if (r == n) V.Store(Relu(s), y + j);
                    else V.StorePartial(Relu(s), y + j, r);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        V Term<V>(V g, V a, V s) where V : unmanaged, IVec<V> => _mode switch
        {
            1 => V.Fma(V.Select(V.Less(g, V.Splat(0f)), V.Splat(0f), g), a, s),
            2 => s + Relu(g * a),
            _ => V.Fma(g, a, s),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Relu<V>(V x) where V : unmanaged, IVec<V> => V.Select(V.Greater(x, V.Splat(0f)), x, V.Splat(0f));

    // ---- EigenCAM / EigenGrad-CAM ------------------------------------------------------------------------

    public void Product(Tensor a, Tensor g, Tensor x)
    {
        CamChecks.Product(a, g, x);
        // x[i] = g[i]·a[i mod |a|]: the engine's broadcast multiply (product of two floats: exact in either order).
        Simd.For(_width, x.Length, ElementsPerRange, new BroadcastKernel<MulOp>(g.Pointer, a.Pointer, a.Length, x.Pointer, 1));
    }

    public void EigenProjection(Tensor x, int channels, int pixels, Tensor map, int iterations, Tensor scratch)
    {
        int k = CamChecks.EigenProjection(x, channels, pixels, map, iterations, scratch);
        // The ILGPU kernels' scratch layout: covariances, means, two power-iteration vectors, per-map norm or sign, projections.
        int c = channels, p = pixels, kc = k * c;
        float* cov = scratch.Pointer, mean = cov + (long)kc * c, v = mean + kc, vNext = v + kc, norm = vNext + kc, q = norm + k;
        // The centred copy comes from the device's pool: a fresh allocation of megabytes costs page faults every call.
        using var centredTensor = Tensor.Empty(x.Device, x.Length);
        float* centred = centredTensor.Pointer;

        // Centre each channel (row of X[k]) on its mean over the pixels, then the scatter matrix X̄·X̄ᵀ.
        Simd.For(_width, kc, Simd.PerRange(2L * p), new CentreRows(x.Pointer, centred, mean, p));
        var scatter = new ScatterTiles(centred, cov, c, p);
        Simd.For(_width, k * scatter.Tiles, Simd.PerRange((long)ScatterTiles.Rows * ScatterTiles.Rows * p), scatter);
        // Power iteration per map (the steps are sequential; maps run in parallel), then ‖v‖ for the projection.
        Simd.For(_width, k, 1, new PowerIteration(cov, v, vNext, norm, c, iterations));
        Combine(centred, v, q, norm, k, c, p, (long)c * p);
        Simd.For(_width, k, Simd.PerRange(2L * p), new SignedRelu(q, map.Pointer, p));
    }

    /// <summary>Row r of x: mean[r] = Σ/n, centred = x − mean.</summary>
    readonly struct CentreRows(float* x, float* centred, float* mean, int n) : ISimdKernel
    {
        readonly float* _x = x, _centred = centred, _mean = mean;
        readonly int _n = n;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int r = start; r < end; r++)
            {
                float* x = _x + (long)r * _n, y = _centred + (long)r * _n;
                float m = Simd.Sum<V>(x, _n) / _n;
                _mean[r] = m;
                var mv = V.Splat(m);
                int i = 0;
                for (; i <= _n - V.Count; i += V.Count) V.Store(V.Load(x + i) - mv, y + i);
                for (; i < _n; i++) y[i] = x[i] - m;
            }
        }
    }

    /// <summary>
    /// The scatter matrices M[k] = X̄[k]·X̄[k]ᵀ ([C, C], X̄ [C, P] centred rows), symmetric: item (k, row block bi,
    /// row block bj) computes a 4×4 tile of row dot products when bj ≥ bi (16 vector accumulators fed by 8 loads
    /// per step along P, the rows read in place) and writes it and its mirror, so M is exactly symmetric. Rows past
    /// C in an edge tile repeat the last row and are not stored.
    /// </summary>
    readonly struct ScatterTiles(float* x, float* cov, int c, int p) : ISimdKernel
    {
        public const int Rows = 4;
        readonly float* _x = x, _cov = cov;
        readonly int _c = c, _p = p, _blocks = (c + Rows - 1) / Rows;

        /// <summary>Items per matrix: every (bi, bj) pair; those below the diagonal return at once.</summary>
        public int Tiles => _blocks * _blocks;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            int n = V.Count, whole = _p - _p % n, tail = _p - whole;
            float* pad = stackalloc float[2 * Rows * n];
            float* tile = stackalloc float[Rows * Rows];
            for (int item = start; item < end; item++)
            {
                int k = item / Tiles, t = item % Tiles, bi = t / _blocks, bj = t % _blocks;
                if (bj < bi) continue;
                int i0 = bi * Rows, j0 = bj * Rows;
                float* x = _x + (long)k * _c * _p;
                V s00 = V.Splat(0f), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00,
                  s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
                // Two passes of whole-vector steps: the rows in place, then their ragged ends copied into
                // zero-padded vectors (a partial load inside the loop would make the JIT spill the accumulators).
                for (int pass = 0; pass < 2; pass++)
                {
                    long stride = _p;
                    float* a = x + (long)i0 * _p, b = x + (long)j0 * _p;
                    int length = whole, last = _c - 1 - i0, lastB = _c - 1 - j0;
                    if (pass == 1)
                    {
                        if (tail == 0) break;
                        for (int r = 0; r < Rows; r++)
                        {
                            V.Store(V.LoadPartial(a + Math.Min(r, last) * stride + whole, tail, 0f), pad + r * n);
                            V.Store(V.LoadPartial(b + Math.Min(r, lastB) * stride + whole, tail, 0f), pad + (Rows + r) * n);
                        }
                        a = pad;
                        b = pad + Rows * n;
                        stride = n;
                        length = n;
                        last = lastB = Rows - 1;
                    }
                    float* a0 = a, a1 = a + Math.Min(1, last) * stride, a2 = a + Math.Min(2, last) * stride, a3 = a + Math.Min(3, last) * stride;
                    float* b0 = b, b1 = b + Math.Min(1, lastB) * stride, b2 = b + Math.Min(2, lastB) * stride, b3 = b + Math.Min(3, lastB) * stride;
                    for (int q = 0; q < length; q += n)
                    {
                        V x0 = V.Load(a0 + q), x1 = V.Load(a1 + q), x2 = V.Load(a2 + q), x3 = V.Load(a3 + q);
                        V y = V.Load(b0 + q);
                        s00 = V.Fma(x0, y, s00); s10 = V.Fma(x1, y, s10); s20 = V.Fma(x2, y, s20); s30 = V.Fma(x3, y, s30);
                        y = V.Load(b1 + q);
                        s01 = V.Fma(x0, y, s01); s11 = V.Fma(x1, y, s11); s21 = V.Fma(x2, y, s21); s31 = V.Fma(x3, y, s31);
                        y = V.Load(b2 + q);
                        s02 = V.Fma(x0, y, s02); s12 = V.Fma(x1, y, s12); s22 = V.Fma(x2, y, s22); s32 = V.Fma(x3, y, s32);
                        y = V.Load(b3 + q);
                        s03 = V.Fma(x0, y, s03); s13 = V.Fma(x1, y, s13); s23 = V.Fma(x2, y, s23); s33 = V.Fma(x3, y, s33);
                    }
                }
                tile[0] = V.Sum(s00); tile[1] = V.Sum(s01); tile[2] = V.Sum(s02); tile[3] = V.Sum(s03);
                tile[4] = V.Sum(s10); tile[5] = V.Sum(s11); tile[6] = V.Sum(s12); tile[7] = V.Sum(s13);
                tile[8] = V.Sum(s20); tile[9] = V.Sum(s21); tile[10] = V.Sum(s22); tile[11] = V.Sum(s23);
                tile[12] = V.Sum(s30); tile[13] = V.Sum(s31); tile[14] = V.Sum(s32); tile[15] = V.Sum(s33);
                // M[i, j] and its mirror M[j, i] for the rows and columns that exist.
                float* m = _cov + (long)k * _c * _c;
                for (int r = 0; r < Rows && i0 + r < _c; r++)
                    for (int e = 0; e < Rows && j0 + e < _c; e++)
                    {
                        m[(long)(i0 + r) * _c + j0 + e] = tile[r * Rows + e];
                        m[(long)(j0 + e) * _c + i0 + r] = tile[r * Rows + e];
                    }
            }
        }
    }

    /// <summary>
    /// Map k: v ← M·v/‖v‖ from v = 1, <c>iterations</c> times (the ILGPU step, M·v divided by √Σv²; a zero v stays
    /// zero), then norm[k] = ‖v‖ (0 for a zero v) for the projection. A step is ~C²/16 FMAs: 200 steps at C = 256
    /// take ~0.1 ms, so each map's iteration runs on one core and the maps run in parallel.
    /// </summary>
    readonly struct PowerIteration(float* cov, float* v, float* vNext, float* norm, int c, int iterations) : ISimdKernel
    {
        readonly float* _cov = cov, _v = v, _vNext = vNext, _norm = norm;
        readonly int _c = c, _iterations = iterations;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int k = start; k < end; k++)
            {
                float* m = _cov + (long)k * _c * _c, v = _v + k * _c, next = _vNext + k * _c;
                Simd.Fill<V>(v, _c, 1f);
                for (int it = 0; it < _iterations; it++)
                {
                    float norm2 = Simd.Dot<V>(v, v, _c);
                    if (norm2 > 0)
                    {
                        // (M·v)_i = Σ_j M[j, i]·v_j (M is symmetric): rows of M scaled and added, no horizontal sums.
                        WeightedRows<V>(m, _c, _c, v, next, _c);
                        Simd.Divide<V>(next, next, _c, MathF.Sqrt(norm2));
                    }
                    else Simd.Fill<V>(next, _c, 0f);
                    float* previous = v;
                    v = next;
                    next = previous;
                }
                if (v != _v + k * _c) Buffer.MemoryCopy(v, _v + k * _c, _c * sizeof(float), _c * sizeof(float));
                float n2 = Simd.Dot<V>(v, v, _c);
                _norm[k] = n2 > 0 ? MathF.Sqrt(n2) : 0f;
            }
        }
    }

    /// <summary>Map k: the sign making the first largest-magnitude entry of q positive, then map = max(q·sign, 0).</summary>
    readonly struct SignedRelu(float* q, float* map, int p) : ISimdKernel
    {
        readonly float* _q = q, _map = map;
        readonly int _p = p;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int k = start; k < end; k++)
            {
                float* q = _q + (long)k * _p, y = _map + (long)k * _p;
                float best = 0, bestAbs = -1;
                for (int i = 0; i < _p; i++)
                {
                    float a = MathF.Abs(q[i]);
                    if (a > bestAbs) { bestAbs = a; best = q[i]; }
                }
                var sign = V.Splat(best < 0 ? -1f : 1f);
                int j = 0;
                for (; j <= _p - V.Count; j += V.Count) V.Store(Relu(V.Load(q + j) * sign), y + j);
                if (j < _p) V.StorePartial(Relu(V.LoadPartial(q + j, _p - j, 0f) * sign), y + j, _p - j);
            }
        }
    }

    // ---- ranges, feature grids, guided products, seeds -----------------------------------------------

    public void MapRange(Tensor map, int pixels, Tensor range)
    {
        CamChecks.MapRange(map, pixels, range);
        Ranges(map.Pointer, map.Length / pixels, pixels, range.Pointer);
    }

    void Ranges(float* maps, int count, int pixels, float* range) =>
        Simd.For(_width, count, Simd.PerRange(pixels), new MinMaxRows(maps, range, pixels));

    /// <summary>Row r: range[2r] = min, range[2r + 1] = max (ragged ends padded with the row's first value).</summary>
    readonly struct MinMaxRows(float* x, float* range, int n) : ISimdKernel
    {
        readonly float* _x = x, _range = range;
        readonly int _n = n;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            float* lanes = stackalloc float[2 * V.Count];
            for (int r = start; r < end; r++)
            {
                float* x = _x + (long)r * _n;
                float first = x[0];
                V lo = V.Splat(first), hi = lo;
                int i = 0;
                for (; i <= _n - V.Count; i += V.Count)
                {
                    var v = V.Load(x + i);
                    lo = V.Min(lo, v);
                    hi = V.Max(hi, v);
                }
                if (i < _n)
                {
                    var v = V.LoadPartial(x + i, _n - i, first);
                    lo = V.Min(lo, v);
                    hi = V.Max(hi, v);
                }
                V.Store(lo, lanes);
                V.Store(hi, lanes + V.Count);
                float min = lanes[0], max = lanes[V.Count];
                for (int l = 1; l < V.Count; l++)
                {
                    min = MathF.Min(min, lanes[l]);
                    max = MathF.Max(max, lanes[V.Count + l]);
                }
                _range[2 * r] = min;
                _range[2 * r + 1] = max;
            }
        }
    }

    public void FeatureGrid(Tensor a, int height, int width, int count, int rows, int cols, Tensor grid, Tensor scratch)
    {
        CamChecks.FeatureGrid(a, height, width, count, rows, cols, grid, scratch);
        Ranges(a.Pointer, count, height * width, scratch.Pointer);
        Simd.For(_width, rows * height, Simd.PerRange((long)cols * width),
            new GridRows(a.Pointer, scratch.Pointer, grid.Pointer, height, width, count, cols));
    }

    /// <summary>Grid row gy: each cell's row of its channel, (x − min)/(max − min), 0 for a constant channel or an unused cell.</summary>
    readonly struct GridRows(float* a, float* range, float* grid, int h, int w, int count, int cols) : ISimdKernel
    {
        readonly float* _a = a, _range = range, _grid = grid;
        readonly int _h = h, _w = w, _count = count, _cols = cols;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int gy = start; gy < end; gy++)
            {
                int y = gy % _h;
                for (int cx = 0; cx < _cols; cx++)
                {
                    int c = gy / _h * _cols + cx;
                    float* dst = _grid + (long)gy * _cols * _w + cx * _w;
                    float lo = c < _count ? _range[2 * c] : 0f, span = c < _count ? _range[2 * c + 1] - lo : 0f;
                    if (!(span > 0))
                    {
                        Simd.Fill<V>(dst, _w, 0f);
                        continue;
                    }
                    float* src = _a + ((long)c * _h + y) * _w;
                    V lov = V.Splat(lo), spanv = V.Splat(span);
                    int i = 0;
                    for (; i <= _w - V.Count; i += V.Count) V.Store((V.Load(src + i) - lov) / spanv, dst + i);
                    for (; i < _w; i++) dst[i] = (src[i] - lo) / span;
                }
            }
        }
    }

    public void GuidedProduct(Tensor gb, Tensor cam, int camHeight, int camWidth, Tensor output)
    {
        int k = CamChecks.GuidedProduct(gb, cam, camHeight, camWidth, output);
        int channels = gb.Shape[1], height = gb.Shape[2], width = gb.Shape[3];
        if (gb.Length == 0) return;
        // The bilinear resize is separable: each cam row resized to the output width (rows y0 and y1 of the
        // ILGPU kernel's "top" and "bottom"), then each output row blends two of those rows. Same products and
        // sums in the same order as the ILGPU kernel: the results are identical.
        using var taps = new NativeBuffer(3L * (width + height));
        float* fx = taps.Pointer, fy = fx + width;
        int* x0 = (int*)(fy + height), x1 = x0 + width, y0 = x1 + width, y1 = y0 + height;
        for (int x = 0; x < width; x++) Tap(x, camWidth, width, out x0[x], out x1[x], out fx[x]);
        for (int y = 0; y < height; y++) Tap(y, camHeight, height, out y0[y], out y1[y], out fy[y]);
        using var wide = Tensor.Empty(gb.Device, k * camHeight * width);
        Simd.For(_width, k * camHeight, Simd.PerRange(4L * width), new ResizeRows(cam.Pointer, wide.Pointer, x0, x1, fx, camWidth, width));
        Simd.For(_width, k * height, Simd.PerRange(2L * channels * width),
            new GuidedRows(gb.Pointer, wide.Pointer, output.Pointer, y0, y1, fy, channels, height, width, camHeight));
    }

    static void Tap(int o, int inSize, int outSize, out int i0, out int i1, out float frac) =>
        IlgpuCamKernels.Tap(o, inSize, outSize, out i0, out i1, out frac);

    /// <summary>Cam row r resized to the output width: wide[r, x] = cam[r, x0]·(1 − fx) + cam[r, x1]·fx.</summary>
    readonly struct ResizeRows(float* cam, float* wide, int* x0, int* x1, float* fx, int camWidth, int width) : ISimdKernel
    {
        readonly float* _cam = cam, _wide = wide, _fx = fx;
        readonly int* _x0 = x0, _x1 = x1;
        readonly int _camWidth = camWidth, _width = width;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int r = start; r < end; r++)
            {
                float* src = _cam + (long)r * _camWidth, dst = _wide + (long)r * _width;
                for (int x = 0; x < _width; x++) dst[x] = src[_x0[x]] * (1 - _fx[x]) + src[_x1[x]] * _fx[x];
            }
        }
    }

    /// <summary>Output row (k, y): top = wide[k, y0], bottom = wide[k, y1]; out = gb · (top·(1 − fy) + bottom·fy) for every channel.</summary>
    readonly struct GuidedRows(float* gb, float* wide, float* output, int* y0, int* y1, float* fy, int channels, int height, int width, int camHeight) : ISimdKernel
    {
        readonly float* _gb = gb, _wide = wide, _output = output, _fy = fy;
        readonly int* _y0 = y0, _y1 = y1;
        readonly int _channels = channels, _height = height, _width = width, _camHeight = camHeight;

        [MethodImpl(Simd.Hot)]
        public void Run<V>(int start, int end) where V : unmanaged, IVec<V>
        {
            for (int item = start; item < end; item++)
            {
                int k = item / _height, y = item % _height;
                float* top = _wide + ((long)k * _camHeight + _y0[y]) * _width, bottom = _wide + ((long)k * _camHeight + _y1[y]) * _width;
                float f = _fy[y], g = 1 - f;
                V fv = V.Splat(f), gv = V.Splat(g);
                for (int c = 0; c < _channels; c++)
                {
                    long row = (((long)k * _channels + c) * _height + y) * _width;
                    float* src = _gb + row, dst = _output + row;
                    int i = 0;
                    for (; i <= _width - V.Count; i += V.Count)
                        V.Store(V.Load(src + i) * (V.Load(top + i) * gv + V.Load(bottom + i) * fv), dst + i);
                    for (; i < _width; i++) dst[i] = src[i] * (top[i] * g + bottom[i] * f);
                }
            }
        }
    }

    public void Seeds(Tensor output, Tensor table, Tensor scales, int level, Tensor seed)
    {
        int k = CamChecks.Seeds(output, table, scales, seed);
        seed.Device.Backend.Fill(seed, 0f);
        if (k == 0) return;
        float* o = output.Pointer, t = table.Pointer, sc = scales.Pointer, s = seed.Pointer;
        int length = output.Length, plane = output.Shape[2] * output.Shape[3];
        // A handful of targets: scalar, the ILGPU kernel's work item per target.
        for (int i = 0; i < k; i++)
        {
            if ((int)t[5 * i] != level) continue;
            int obj = (int)t[5 * i + 1] * plane + (int)t[5 * i + 3];
            int cls = (int)t[5 * i + 2] * plane + (int)t[5 * i + 3];
            if (obj < 0 || obj >= length || cls < 0 || cls >= length) continue;
            float scale = sc[i];
            if (t[5 * i + 4] == 0) { s[(long)i * length + cls] = scale; continue; }
            float so = Sigmoid(o[obj]), sg = Sigmoid(o[cls]);
            s[(long)i * length + obj] = scale * so * (1 - so) * sg;
            s[(long)i * length + cls] = scale * so * sg * (1 - sg);
        }
    }

    static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>A small 64-byte-aligned host buffer of floats for one call (freed on Dispose).</summary>
    readonly struct NativeBuffer : IDisposable
    {
        public readonly float* Pointer;

        public NativeBuffer(long floats) => Pointer = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, floats) * sizeof(float), 64);

        public void Dispose() => NativeMemory.AlignedFree(Pointer);
    }
}
