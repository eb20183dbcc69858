using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NativeCam.Tensors;

/// <summary>The vector width the SIMD CPU backend's pointwise, dense and spatial kernels run with.</summary>
public enum SimdWidth
{
    /// <summary>The widest the hardware accelerates: Vector512, else Vector256, else Vector128 (SSE, ARM NEON), else scalar.</summary>
    Auto,
    Vector512,
    Vector256,
    Vector128,
    Scalar,
}

/// <summary>
/// A vector of float lanes, abstracted over its width so that each kernel is written once and
/// instantiated for <see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/> (ARM64's NEON width) and
/// <see cref="V1"/> (one float: the fallback without SIMD). The JIT specialises every generic method per struct and inlines these
/// wrappers to the bare instructions (checked in the disassembly: no spills, no calls).
/// Masks are vectors whose lanes are all ones (true) or zero, as the Vector512 comparisons return.
/// </summary>
internal unsafe interface IVec<V> where V : unmanaged, IVec<V>
{
    static abstract int Count { get; }
    static abstract V Load(float* p);
    static abstract void Store(V v, float* p);
    /// <summary>The first <paramref name="count"/> (&lt; Count) floats at p, other lanes set to <paramref name="fill"/>.</summary>
    static abstract V LoadPartial(float* p, int count, float fill);
    static abstract void StorePartial(V v, float* p, int count);
    static abstract V Splat(float x);
    /// <summary>Lane numbers 0, 1, .., Count − 1 as floats.</summary>
    static abstract V Lanes { get; }

    static abstract V operator +(V a, V b);
    static abstract V operator -(V a, V b);
    static abstract V operator *(V a, V b);
    static abstract V operator /(V a, V b);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract V Fma(V a, V b, V c);
    /// <summary>Hardware min/max: which operand a NaN or a ±0 tie returns is unspecified.</summary>
    static abstract V Min(V a, V b);
    static abstract V Max(V a, V b);
    static abstract V Abs(V a);
    /// <summary>Round to nearest, ties to even.</summary>
    static abstract V Round(V a);
    /// <summary>x·2^n for lanes of n holding whole numbers in [−252, 254], overflowing to ±∞ and underflowing to denormals or 0.</summary>
    static abstract V ScaleB(V x, V n);

    static abstract V Greater(V a, V b);
    static abstract V Less(V a, V b);
    static abstract V Equal(V a, V b);
    static abstract V IsNaN(V a);
    static abstract V Or(V a, V b);
    /// <summary>mask ? a : b per lane.</summary>
    static abstract V Select(V mask, V a, V b);
    /// <summary>The first lane whose mask is set, or −1.</summary>
    static abstract int FirstSet(V mask);

    static abstract float Sum(V a);
    static abstract float MaxAcross(V a);

    /// <summary>Each lane twice: (a0, a0, a1, a1, ..) as two vectors.</summary>
    static abstract V RepeatLow(V a);
    static abstract V RepeatHigh(V a);
    /// <summary>The even (odd) lanes of the 2·Count lanes of a then b.</summary>
    static abstract V Evens(V a, V b);
    static abstract V Odds(V a, V b);
}

internal unsafe readonly struct V512(Vector512<float> v) : IVec<V512>
{
    const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;
    public readonly Vector512<float> V = v;

    public static int Count => Vector512<float>.Count;
    [MethodImpl(Inline)] public static V512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(Inline)] public static void Store(V512 v, float* p) => Vector512.Store(v.V, p);
    [MethodImpl(Simd.Hot)]
    public static V512 LoadPartial(float* p, int count, float fill)
    {
        var v = Vector512.Create(fill);
        for (int i = 0; i < count; i++) ((float*)&v)[i] = p[i];
        return new(v);
    }
    [MethodImpl(Simd.Hot)]
    public static void StorePartial(V512 v, float* p, int count)
    {
        var s = v.V;
        for (int i = 0; i < count; i++) p[i] = ((float*)&s)[i];
    }
    [MethodImpl(Inline)] public static V512 Splat(float x) => new(Vector512.Create(x));
    public static V512 Lanes
    {
        [MethodImpl(Inline)] get =>  new(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    }

    [MethodImpl(Inline)] public static V512 operator +(V512 a, V512 b) => new(a.V + b.V);
    [MethodImpl(Inline)] public static V512 operator -(V512 a, V512 b) => new(a.V - b.V);
    [MethodImpl(Inline)] public static V512 operator *(V512 a, V512 b) => new(a.V * b.V);
    [MethodImpl(Inline)] public static V512 operator /(V512 a, V512 b) => new(a.V / b.V);
    [MethodImpl(Inline)] public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(Inline)] public static V512 Min(V512 a, V512 b) => new(Vector512.MinNative(a.V, b.V));
    [MethodImpl(Inline)] public static V512 Max(V512 a, V512 b) => new(Vector512.MaxNative(a.V, b.V));
    [MethodImpl(Inline)] public static V512 Abs(V512 a) => new(Vector512.Abs(a.V));
    [MethodImpl(Inline)] public static V512 Round(V512 a) => new(Vector512.Round(a.V));
    // AVX-512 has the instruction (vscalefps); else two exact powers of two built in the exponent bits.
    [MethodImpl(Inline)]
    public static V512 ScaleB(V512 x, V512 n)
    {
        if (Avx512F.IsSupported) return new(Avx512F.Scale(x.V, n.V));
        var half = Vector512.Round(n.V * Vector512.Create(0.5f));
        return new(x.V * Pow2(half) * Pow2(n.V - half));

        static Vector512<float> Pow2(Vector512<float> k) => ((Vector512.ConvertToInt32Native(k) + Vector512.Create(127)) << 23).AsSingle();
    }

    [MethodImpl(Inline)] public static V512 Greater(V512 a, V512 b) => new(Vector512.GreaterThan(a.V, b.V));
    [MethodImpl(Inline)] public static V512 Less(V512 a, V512 b) => new(Vector512.LessThan(a.V, b.V));
    [MethodImpl(Inline)] public static V512 Equal(V512 a, V512 b) => new(Vector512.Equals(a.V, b.V));
    [MethodImpl(Inline)] public static V512 IsNaN(V512 a) => new(Vector512.IsNaN(a.V));
    [MethodImpl(Inline)] public static V512 Or(V512 a, V512 b) => new(a.V | b.V);
    [MethodImpl(Inline)] public static V512 Select(V512 mask, V512 a, V512 b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));
    [MethodImpl(Inline)]
    public static int FirstSet(V512 mask)
    {
        ulong bits = Vector512.ExtractMostSignificantBits(mask.V);
        return bits == 0 ? -1 : BitOperations.TrailingZeroCount(bits);
    }

    [MethodImpl(Inline)] public static float Sum(V512 a) => Vector512.Sum(a.V);
    [MethodImpl(Inline)] public static float MaxAcross(V512 a) => V256.MaxAcross(new(Vector256.Max(a.V.GetLower(), a.V.GetUpper())));

    [MethodImpl(Inline)] public static V512 RepeatLow(V512 a) => new(Vector512.Shuffle(a.V, Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)));
    [MethodImpl(Inline)] public static V512 RepeatHigh(V512 a) => new(Vector512.Shuffle(a.V, Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15)));
    [MethodImpl(Inline)]
    public static V512 Evens(V512 a, V512 b) => Avx512F.IsSupported
        ? new(Avx512F.PermuteVar16x32x2(a.V, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b.V))
        : new(Vector512.Create(V256.Evens(new(a.V.GetLower()), new(a.V.GetUpper())).V, V256.Evens(new(b.V.GetLower()), new(b.V.GetUpper())).V));
    [MethodImpl(Inline)]
    public static V512 Odds(V512 a, V512 b) => Avx512F.IsSupported
        ? new(Avx512F.PermuteVar16x32x2(a.V, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b.V))
        : new(Vector512.Create(V256.Odds(new(a.V.GetLower()), new(a.V.GetUpper())).V, V256.Odds(new(b.V.GetLower()), new(b.V.GetUpper())).V));
}

internal unsafe readonly struct V256(Vector256<float> v) : IVec<V256>
{
    const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;
    public readonly Vector256<float> V = v;

    public static int Count => Vector256<float>.Count;
    [MethodImpl(Inline)] public static V256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(Inline)] public static void Store(V256 v, float* p) => Vector256.Store(v.V, p);
    [MethodImpl(Simd.Hot)]
    public static V256 LoadPartial(float* p, int count, float fill)
    {
        var v = Vector256.Create(fill);
        for (int i = 0; i < count; i++) ((float*)&v)[i] = p[i];
        return new(v);
    }
    [MethodImpl(Simd.Hot)]
    public static void StorePartial(V256 v, float* p, int count)
    {
        var s = v.V;
        for (int i = 0; i < count; i++) p[i] = ((float*)&s)[i];
    }
    [MethodImpl(Inline)] public static V256 Splat(float x) => new(Vector256.Create(x));
    public static V256 Lanes
    {
        [MethodImpl(Inline)] get =>  new(Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7));
    }

    [MethodImpl(Inline)] public static V256 operator +(V256 a, V256 b) => new(a.V + b.V);
    [MethodImpl(Inline)] public static V256 operator -(V256 a, V256 b) => new(a.V - b.V);
    [MethodImpl(Inline)] public static V256 operator *(V256 a, V256 b) => new(a.V * b.V);
    [MethodImpl(Inline)] public static V256 operator /(V256 a, V256 b) => new(a.V / b.V);
    [MethodImpl(Inline)] public static V256 Fma(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(Inline)] public static V256 Min(V256 a, V256 b) => new(Vector256.MinNative(a.V, b.V));
    [MethodImpl(Inline)] public static V256 Max(V256 a, V256 b) => new(Vector256.MaxNative(a.V, b.V));
    [MethodImpl(Inline)] public static V256 Abs(V256 a) => new(Vector256.Abs(a.V));
    [MethodImpl(Inline)] public static V256 Round(V256 a) => new(Vector256.Round(a.V));
    [MethodImpl(Inline)]
    public static V256 ScaleB(V256 x, V256 n)
    {
        if (Avx512F.VL.IsSupported) return new(Avx512F.VL.Scale(x.V, n.V));
        var half = Vector256.Round(n.V * Vector256.Create(0.5f));
        return new(x.V * Pow2(half) * Pow2(n.V - half));

        static Vector256<float> Pow2(Vector256<float> k) => ((Vector256.ConvertToInt32Native(k) + Vector256.Create(127)) << 23).AsSingle();
    }

    [MethodImpl(Inline)] public static V256 Greater(V256 a, V256 b) => new(Vector256.GreaterThan(a.V, b.V));
    [MethodImpl(Inline)] public static V256 Less(V256 a, V256 b) => new(Vector256.LessThan(a.V, b.V));
    [MethodImpl(Inline)] public static V256 Equal(V256 a, V256 b) => new(Vector256.Equals(a.V, b.V));
    [MethodImpl(Inline)] public static V256 IsNaN(V256 a) => new(Vector256.IsNaN(a.V));
    [MethodImpl(Inline)] public static V256 Or(V256 a, V256 b) => new(a.V | b.V);
    [MethodImpl(Inline)] public static V256 Select(V256 mask, V256 a, V256 b) => new(Vector256.ConditionalSelect(mask.V, a.V, b.V));
    [MethodImpl(Inline)]
    public static int FirstSet(V256 mask)
    {
        uint bits = Vector256.ExtractMostSignificantBits(mask.V);
        return bits == 0 ? -1 : BitOperations.TrailingZeroCount(bits);
    }

    [MethodImpl(Inline)] public static float Sum(V256 a) => Vector256.Sum(a.V);
    [MethodImpl(Inline)]
    public static float MaxAcross(V256 a)
    {
        var m = Vector128.Max(a.V.GetLower(), a.V.GetUpper());
        return MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));
    }

    [MethodImpl(Inline)] public static V256 RepeatLow(V256 a) => new(Vector256.Shuffle(a.V, Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3)));
    [MethodImpl(Inline)] public static V256 RepeatHigh(V256 a) => new(Vector256.Shuffle(a.V, Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7)));
    // AVX: shuffle within 128-bit halves, then put the 64-bit pieces in order (a0 a2 | b0 b2 | a4 a6 | b4 b6 → a0 a2 a4 a6 b0 b2 b4 b6).
    [MethodImpl(Inline)]
    public static V256 Evens(V256 a, V256 b) => Avx2.IsSupported
        ? new(Avx2.Permute4x64(Avx.Shuffle(a.V, b.V, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle())
        : new(Vector256.Create(a.V[0], a.V[2], a.V[4], a.V[6], b.V[0], b.V[2], b.V[4], b.V[6]));
    [MethodImpl(Inline)]
    public static V256 Odds(V256 a, V256 b) => Avx2.IsSupported
        ? new(Avx2.Permute4x64(Avx.Shuffle(a.V, b.V, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle())
        : new(Vector256.Create(a.V[1], a.V[3], a.V[5], a.V[7], b.V[1], b.V[3], b.V[5], b.V[7]));
}

/// <summary>Four lanes: SSE on x64, NEON (AdvSimd) on ARM64 — where <c>Vector&lt;float&gt;</c> is this wide.</summary>
internal unsafe readonly struct V128(Vector128<float> v) : IVec<V128>
{
    const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;
    public readonly Vector128<float> V = v;

    public static int Count => Vector128<float>.Count;
    [MethodImpl(Inline)] public static V128 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(Inline)] public static void Store(V128 v, float* p) => Vector128.Store(v.V, p);
    [MethodImpl(Simd.Hot)]
    public static V128 LoadPartial(float* p, int count, float fill)
    {
        var v = Vector128.Create(fill);
        for (int i = 0; i < count; i++) ((float*)&v)[i] = p[i];
        return new(v);
    }
    [MethodImpl(Simd.Hot)]
    public static void StorePartial(V128 v, float* p, int count)
    {
        var s = v.V;
        for (int i = 0; i < count; i++) p[i] = ((float*)&s)[i];
    }
    [MethodImpl(Inline)] public static V128 Splat(float x) => new(Vector128.Create(x));
    public static V128 Lanes
    {
        [MethodImpl(Inline)] get => new(Vector128.Create(0f, 1, 2, 3));
    }

    [MethodImpl(Inline)] public static V128 operator +(V128 a, V128 b) => new(a.V + b.V);
    [MethodImpl(Inline)] public static V128 operator -(V128 a, V128 b) => new(a.V - b.V);
    [MethodImpl(Inline)] public static V128 operator *(V128 a, V128 b) => new(a.V * b.V);
    [MethodImpl(Inline)] public static V128 operator /(V128 a, V128 b) => new(a.V / b.V);
    [MethodImpl(Inline)] public static V128 Fma(V128 a, V128 b, V128 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(Inline)] public static V128 Min(V128 a, V128 b) => new(Vector128.MinNative(a.V, b.V));
    [MethodImpl(Inline)] public static V128 Max(V128 a, V128 b) => new(Vector128.MaxNative(a.V, b.V));
    [MethodImpl(Inline)] public static V128 Abs(V128 a) => new(Vector128.Abs(a.V));
    [MethodImpl(Inline)] public static V128 Round(V128 a) => new(Vector128.Round(a.V));
    [MethodImpl(Inline)]
    public static V128 ScaleB(V128 x, V128 n)
    {
        if (Avx512F.VL.IsSupported) return new(Avx512F.VL.Scale(x.V, n.V));
        var half = Vector128.Round(n.V * Vector128.Create(0.5f));
        return new(x.V * Pow2(half) * Pow2(n.V - half));

        static Vector128<float> Pow2(Vector128<float> k) => ((Vector128.ConvertToInt32Native(k) + Vector128.Create(127)) << 23).AsSingle();
    }

    [MethodImpl(Inline)] public static V128 Greater(V128 a, V128 b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(Inline)] public static V128 Less(V128 a, V128 b) => new(Vector128.LessThan(a.V, b.V));
    [MethodImpl(Inline)] public static V128 Equal(V128 a, V128 b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(Inline)] public static V128 IsNaN(V128 a) => new(Vector128.IsNaN(a.V));
    [MethodImpl(Inline)] public static V128 Or(V128 a, V128 b) => new(a.V | b.V);
    [MethodImpl(Inline)] public static V128 Select(V128 mask, V128 a, V128 b) => new(Vector128.ConditionalSelect(mask.V, a.V, b.V));
    [MethodImpl(Inline)]
    public static int FirstSet(V128 mask)
    {
        uint bits = Vector128.ExtractMostSignificantBits(mask.V);
        return bits == 0 ? -1 : BitOperations.TrailingZeroCount(bits);
    }

    [MethodImpl(Inline)] public static float Sum(V128 a) => Vector128.Sum(a.V);
    [MethodImpl(Inline)] public static float MaxAcross(V128 a) => MathF.Max(MathF.Max(a.V[0], a.V[1]), MathF.Max(a.V[2], a.V[3]));

    [MethodImpl(Inline)] public static V128 RepeatLow(V128 a) => new(Vector128.Shuffle(a.V, Vector128.Create(0, 0, 1, 1)));
    [MethodImpl(Inline)] public static V128 RepeatHigh(V128 a) => new(Vector128.Shuffle(a.V, Vector128.Create(2, 2, 3, 3)));
    [MethodImpl(Inline)]
    public static V128 Evens(V128 a, V128 b) =>
        Sse.IsSupported ? new(Sse.Shuffle(a.V, b.V, 0b10_00_10_00))
        : AdvSimd.Arm64.IsSupported ? new(AdvSimd.Arm64.UnzipEven(a.V, b.V))
        : new(Vector128.Create(a.V[0], a.V[2], b.V[0], b.V[2]));
    [MethodImpl(Inline)]
    public static V128 Odds(V128 a, V128 b) =>
        Sse.IsSupported ? new(Sse.Shuffle(a.V, b.V, 0b11_01_11_01))
        : AdvSimd.Arm64.IsSupported ? new(AdvSimd.Arm64.UnzipOdd(a.V, b.V))
        : new(Vector128.Create(a.V[1], a.V[3], b.V[1], b.V[3]));
}

/// <summary>One float as a vector of one lane: the same kernels, scalar. A true mask is a float with all bits set.</summary>
internal unsafe readonly struct V1(float v) : IVec<V1>
{
    const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;
    public readonly float V = v;
    static readonly float True = BitConverter.Int32BitsToSingle(-1);

    static V1 Mask(bool b) => new(b ? True : 0f);

    public static int Count => 1;
    [MethodImpl(Inline)] public static V1 Load(float* p) => new(*p);
    [MethodImpl(Inline)] public static void Store(V1 v, float* p) => *p = v.V;
    public static V1 LoadPartial(float* p, int count, float fill) => new(count > 0 ? *p : fill);
    public static void StorePartial(V1 v, float* p, int count)
    {
        if (count > 0) *p = v.V;
    }
    [MethodImpl(Inline)] public static V1 Splat(float x) => new(x);
    public static V1 Lanes => new(0f);

    [MethodImpl(Inline)] public static V1 operator +(V1 a, V1 b) => new(a.V + b.V);
    [MethodImpl(Inline)] public static V1 operator -(V1 a, V1 b) => new(a.V - b.V);
    [MethodImpl(Inline)] public static V1 operator *(V1 a, V1 b) => new(a.V * b.V);
    [MethodImpl(Inline)] public static V1 operator /(V1 a, V1 b) => new(a.V / b.V);
    [MethodImpl(Inline)] public static V1 Fma(V1 a, V1 b, V1 c) => new(MathF.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(Inline)] public static V1 Min(V1 a, V1 b) => new(MathF.Min(a.V, b.V));
    [MethodImpl(Inline)] public static V1 Max(V1 a, V1 b) => new(MathF.Max(a.V, b.V));
    [MethodImpl(Inline)] public static V1 Abs(V1 a) => new(MathF.Abs(a.V));
    [MethodImpl(Inline)] public static V1 Round(V1 a) => new(MathF.Round(a.V));
    [MethodImpl(Inline)] public static V1 ScaleB(V1 x, V1 n) => new(MathF.ScaleB(x.V, (int)n.V));

    [MethodImpl(Inline)] public static V1 Greater(V1 a, V1 b) => Mask(a.V > b.V);
    [MethodImpl(Inline)] public static V1 Less(V1 a, V1 b) => Mask(a.V < b.V);
    [MethodImpl(Inline)] public static V1 Equal(V1 a, V1 b) => Mask(a.V == b.V);
    [MethodImpl(Inline)] public static V1 IsNaN(V1 a) => Mask(float.IsNaN(a.V));
    [MethodImpl(Inline)] public static V1 Or(V1 a, V1 b) => new(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a.V) | BitConverter.SingleToInt32Bits(b.V)));
    [MethodImpl(Inline)] public static V1 Select(V1 mask, V1 a, V1 b) => BitConverter.SingleToInt32Bits(mask.V) != 0 ? a : b;
    [MethodImpl(Inline)] public static int FirstSet(V1 mask) => BitConverter.SingleToInt32Bits(mask.V) != 0 ? 0 : -1;

    [MethodImpl(Inline)] public static float Sum(V1 a) => a.V;
    [MethodImpl(Inline)] public static float MaxAcross(V1 a) => a.V;

    [MethodImpl(Inline)] public static V1 RepeatLow(V1 a) => a;
    [MethodImpl(Inline)] public static V1 RepeatHigh(V1 a) => a;
    [MethodImpl(Inline)] public static V1 Evens(V1 a, V1 b) => a;
    [MethodImpl(Inline)] public static V1 Odds(V1 a, V1 b) => b;
}

/// <summary>
/// A kernel over a range of work items, generic in the vector type; <see cref="Simd.For{K}"/> splits the
/// items over the cores and instantiates <see cref="Run{V}"/> for the width in use.
/// </summary>
internal interface ISimdKernel
{
    void Run<V>(int start, int end) where V : unmanaged, IVec<V>;
}

internal static partial class Simd
{
    /// <summary>
    /// For kernel loops: compiled fully optimised on first call. Tier-0 code of these generic vector wrappers is
    /// ~10–20× slower (every lane operation a call), and a model runs each kernel only a few dozen times, too few
    /// for tiered compilation to catch up soon.
    /// </summary>
    public const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;

    /// <summary>The width a request runs with on this machine (a width the hardware lacks falls back to the next narrower).</summary>
    public static SimdWidth Resolve(SimdWidth requested)
    {
        if (requested is SimdWidth.Auto or SimdWidth.Vector512 && Vector512.IsHardwareAccelerated) return SimdWidth.Vector512;
        if (requested is not (SimdWidth.Scalar or SimdWidth.Vector128) && Vector256.IsHardwareAccelerated) return SimdWidth.Vector256;
        if (requested != SimdWidth.Scalar && Vector128.IsHardwareAccelerated) return SimdWidth.Vector128;
        return SimdWidth.Scalar;
    }

    /// <summary>Runs kernel.Run over [0, n) in ranges of at least <paramref name="minPerRange"/> items on the cores.</summary>
    public static void For<K>(SimdWidth width, int n, int minPerRange, K kernel) where K : struct, ISimdKernel
    {
        switch (width)
        {
            case SimdWidth.Vector512: CpuParallel.For(n, minPerRange, (s, e) => kernel.Run<V512>(s, e)); break;
            case SimdWidth.Vector256: CpuParallel.For(n, minPerRange, (s, e) => kernel.Run<V256>(s, e)); break;
            case SimdWidth.Vector128: CpuParallel.For(n, minPerRange, (s, e) => kernel.Run<V128>(s, e)); break;
            default: CpuParallel.For(n, minPerRange, (s, e) => kernel.Run<V1>(s, e)); break;
        }
    }

    /// <summary>Runs kernel.Run over [0, n) on the calling thread (for callers that already split work over the cores).</summary>
    public static void Serial<K>(SimdWidth width, int n, K kernel) where K : struct, ISimdKernel
    {
        if (n <= 0) return;
        switch (width)
        {
            case SimdWidth.Vector512: kernel.Run<V512>(0, n); break;
            case SimdWidth.Vector256: kernel.Run<V256>(0, n); break;
            case SimdWidth.Vector128: kernel.Run<V128>(0, n); break;
            default: kernel.Run<V1>(0, n); break;
        }
    }

    /// <summary>Items per range so that a range holds about <paramref name="elements"/> elements of work.</summary>
    public static int PerRange(long itemCost, int elements = 16384) => (int)Math.Clamp(elements / Math.Max(1, itemCost), 1, int.MaxValue);
}
