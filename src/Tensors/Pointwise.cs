using System.Runtime.CompilerServices;
using ILGPU.Algorithms;

namespace NativeCam.Tensors;

/// <summary>Pointwise functions y = f(x), with an optional scalar <c>alpha</c> (the factor of Scale). Defined in <see cref="Pointwise"/>.</summary>
public enum UnaryOp { Scale, Relu, Silu, Sigmoid, Gelu, Tanh, Relu6, Hardsigmoid, Hardswish }

/// <summary>
/// The math of every pointwise op, written once. Each op is one struct below holding f and f′ twice, side by side:
/// as scalar float32 functions (<c>Forward</c>, <c>Derivative</c>), which the ILGPU kernels call, and as the same
/// formulas over SIMD vectors (<c>Apply&lt;V&gt;</c>, <c>Derivative&lt;V&gt;</c>, any <see cref="IVec{V}"/> width), which the
/// CPU backend runs. The two agree formula for formula; the tests hold both to a float64 reference, densely.
/// Adding an op: an enum member, a struct, one case in each of the two switches here (docs/autograd.md).
/// </summary>
public static class Pointwise
{
    /// <summary>Throws for a value that is no <see cref="UnaryOp"/>: kernels cannot throw, so the host checks first.</summary>
    public static void Check(UnaryOp op)
    {
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "no such pointwise op");
    }

    /// <summary>f(x) in float32, as the ILGPU kernels compute it. An unknown op gives NaN (kernels never throw; <see cref="Check"/> first).</summary>
    public static float Forward(UnaryOp op, float x, float alpha) => op switch
    {
        UnaryOp.Scale => alpha * x,
        UnaryOp.Relu => ReluFn.Forward(x),
        UnaryOp.Silu => SiluFn.Forward(x),
        UnaryOp.Sigmoid => SigmoidFn.Forward(x),
        UnaryOp.Gelu => GeluFn.Forward(x),
        UnaryOp.Tanh => TanhFn.Forward(x),
        UnaryOp.Relu6 => Relu6Fn.Forward(x),
        UnaryOp.Hardsigmoid => HardsigmoidFn.Forward(x),
        UnaryOp.Hardswish => HardswishFn.Forward(x),
        _ => float.NaN,
    };

    /// <summary>f′(x) in float32, as the ILGPU kernels compute it (NaN for an unknown op, as <see cref="Forward"/>).</summary>
    public static float Derivative(UnaryOp op, float x, float alpha) => op switch
    {
        UnaryOp.Scale => alpha,
        UnaryOp.Relu => ReluFn.Derivative(x),
        UnaryOp.Silu => SiluFn.Derivative(x),
        UnaryOp.Sigmoid => SigmoidFn.Derivative(x),
        UnaryOp.Gelu => GeluFn.Derivative(x),
        UnaryOp.Tanh => TanhFn.Derivative(x),
        UnaryOp.Relu6 => Relu6Fn.Derivative(x),
        UnaryOp.Hardsigmoid => HardsigmoidFn.Derivative(x),
        UnaryOp.Hardswish => HardswishFn.Derivative(x),
        _ => float.NaN,
    };

    /// <summary>The CPU backend's dispatch: hands <paramref name="user"/> the SIMD struct of <paramref name="op"/>; an unknown op throws.</summary>
    internal static R With<U, R>(UnaryOp op, float alpha, U user) where U : IActivationUser<R> => op switch
    {
        UnaryOp.Scale => user.Use(new ScaleFn(alpha)),
        UnaryOp.Relu => user.Use(new ReluFn()),
        UnaryOp.Silu => user.Use(new SiluFn()),
        UnaryOp.Sigmoid => user.Use(new SigmoidFn()),
        UnaryOp.Gelu => user.Use(new GeluFn()),
        UnaryOp.Tanh => user.Use(new TanhFn()),
        UnaryOp.Relu6 => user.Use(new Relu6Fn()),
        UnaryOp.Hardsigmoid => user.Use(new HardsigmoidFn()),
        UnaryOp.Hardswish => user.Use(new HardswishFn()),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no such pointwise op"),
    };
}

/// <summary>A pointwise function f with its derivative f′, for any vector width.</summary>
internal interface IActivation
{
    V Apply<V>(V x) where V : unmanaged, IVec<V>;
    V Derivative<V>(V x) where V : unmanaged, IVec<V>;
}

/// <summary>Something done with an activation's SIMD struct (a forward pass, a backward pass, a conv epilogue).</summary>
internal interface IActivationUser<R>
{
    R Use<F>(F f) where F : struct, IActivation;
}

/// <summary>αx; f′ = α.</summary>
internal readonly struct ScaleFn(float alpha) : IActivation
{
    readonly float _alpha = alpha;
    public V Apply<V>(V x) where V : unmanaged, IVec<V> => x * V.Splat(_alpha);
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> => V.Splat(_alpha);
}

/// <summary>max(x, 0), NaN stays NaN; f′ = 1 if x &gt; 0 else 0 (PyTorch's choice at 0).</summary>
internal readonly struct ReluFn : IActivation
{
    public static float Forward(float x) => x < 0 ? 0f : x;
    public static float Derivative(float x) => x > 0 ? 1f : 0f;
    public V Apply<V>(V x) where V : unmanaged, IVec<V> => V.Select(V.Less(x, V.Splat(0f)), V.Splat(0f), x);
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> => V.Select(V.Greater(x, V.Splat(0f)), V.Splat(1f), V.Splat(0f));
}

/// <summary>min(max(x, 0), 6) (MobileNet v2); f′ = 1 on (0, 6), 0 elsewhere (PyTorch's hardtanh rule).</summary>
internal readonly struct Relu6Fn : IActivation
{
    public static float Forward(float x) => x < 0 ? 0f : x > 6 ? 6f : x;
    public static float Derivative(float x) => x > 0 && x < 6 ? 1f : 0f;
    public V Apply<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Less(x, V.Splat(0f)), V.Splat(0f), V.Select(V.Greater(x, V.Splat(6f)), V.Splat(6f), x));
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Greater(x, V.Splat(0f)), V.Select(V.Less(x, V.Splat(6f)), V.Splat(1f), V.Splat(0f)), V.Splat(0f));
}

/// <summary>
/// ReLU6(x + 3)/6 (MobileNet v3's gate), as (x + 3)/6 between the kinks: x + 3 is exact near −3, so the result keeps
/// its relative accuracy where it approaches 0. f′ = 1/6 on (−3, 3), 0 elsewhere (PyTorch's).
/// </summary>
internal readonly struct HardsigmoidFn : IActivation
{
    public static float Forward(float x) => x < -3 ? 0f : x > 3 ? 1f : (x + 3f) / 6f;
    public static float Derivative(float x) => x > -3 && x < 3 ? 1f / 6f : 0f;
    public V Apply<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Less(x, V.Splat(-3f)), V.Splat(0f), V.Select(V.Greater(x, V.Splat(3f)), V.Splat(1f), (x + V.Splat(3f)) / V.Splat(6f)));
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Greater(x, V.Splat(-3f)), V.Select(V.Less(x, V.Splat(3f)), V.Splat(1f / 6f), V.Splat(0f)), V.Splat(0f));
}

/// <summary>
/// x·ReLU6(x + 3)/6 (MobileNet v3): 0 below −3, x above 3, x(x + 3)/6 between. f′ as PyTorch's hardswish_backward:
/// 0 below −3, x/3 + 1/2 on [−3, 3] (computed as (2x + 3)/6, exact at its root −1.5), 1 above 3.
/// </summary>
internal readonly struct HardswishFn : IActivation
{
    public static float Forward(float x) => x < -3 ? 0f : x > 3 ? x : x * (x + 3f) / 6f;
    public static float Derivative(float x) => x < -3 ? 0f : x > 3 ? 1f : (2f * x + 3f) / 6f;
    public V Apply<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Less(x, V.Splat(-3f)), V.Splat(0f), V.Select(V.Greater(x, V.Splat(3f)), x, x * (x + V.Splat(3f)) / V.Splat(6f)));
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> =>
        V.Select(V.Less(x, V.Splat(-3f)), V.Splat(0f),
            V.Select(V.Greater(x, V.Splat(3f)), V.Splat(1f), V.Fma(V.Splat(2f), x, V.Splat(3f)) / V.Splat(6f)));
}

/// <summary>
/// σ(x) = 1/(1 + e^−x); f′ = σ(x)σ(−x), computed from e = e^−|x| as e/(1 + e)², not σ(1 − σ): 1 − σ rounds to 0 for
/// x &gt; 17, so that form has no relative accuracy in the right tail.
/// </summary>
internal readonly struct SigmoidFn : IActivation
{
    public static float Forward(float x) => 1f / (1f + XMath.Exp(-x));

    public static float Derivative(float x)
    {
        float e = XMath.Exp(-XMath.Abs(x)), d = 1f + e;
        return e / (d * d);
    }

    public V Apply<V>(V x) where V : unmanaged, IVec<V> => SimdMath.Sigmoid(x);

    public V Derivative<V>(V x) where V : unmanaged, IVec<V>
    {
        var e = SimdMath.Exp(V.Splat(0f) - V.Abs(x));
        var d = V.Splat(1f) + e;
        return e / (d * d);
    }
}

/// <summary>
/// x·σ(x); f′ = σ(x)(1 + x·σ(−x)), with σ(x) and σ(−x) = 1 − σ(x) both from e = e^−|x| (1/(1 + e) and e/(1 + e)), so
/// neither is a rounded 1 − σ.
/// </summary>
internal readonly struct SiluFn : IActivation
{
    public static float Forward(float x) => x * SigmoidFn.Forward(x);

    public static float Derivative(float x)
    {
        float e = XMath.Exp(-XMath.Abs(x)), near = 1f / (1f + e), far = e * near;
        float s = x < 0 ? far : near, sNeg = x < 0 ? near : far;
        return s * (1f + x * sNeg);
    }

    public V Apply<V>(V x) where V : unmanaged, IVec<V> => x * SimdMath.Sigmoid(x);

    public V Derivative<V>(V x) where V : unmanaged, IVec<V>
    {
        var e = SimdMath.Exp(V.Splat(0f) - V.Abs(x));
        var near = V.Splat(1f) / (V.Splat(1f) + e);
        var far = e * near;
        var negative = V.Less(x, V.Splat(0f));
        return V.Select(negative, far, near) * V.Fma(x, V.Select(negative, near, far), V.Splat(1f));
    }
}

/// <summary>
/// tanh by Cephes' tanhf split: for |x| &lt; 0.625 the odd minimax polynomial x + x³P(x²) (relative accuracy near 0,
/// where 1 − 2/(e^2x + 1) would cancel), beyond it 1 − 2/(e^2|x| + 1) with the sign of x (→ ±1 as e^2|x| overflows).
/// f′ = sech²x = 4e/(1 + e)² with e = e^−2|x|, not 1 − tanh², which loses all relative accuracy in the tails.
/// </summary>
internal readonly struct TanhFn : IActivation
{
    const float Small = 0.625f, P0 = -5.70498872745e-3f, P1 = 2.06390887954e-2f, P2 = -5.37397155531e-2f, P3 = 1.33314422036e-1f, P4 = -3.33332819422e-1f;

    public static float Forward(float x)
    {
        float a = XMath.Abs(x);
        if (a < Small)
        {
            float z = x * x;
            return (((((P0 * z + P1) * z + P2) * z + P3) * z + P4) * z) * x + x;
        }
        float t = 1f - 2f / (XMath.Exp(2f * a) + 1f);
        return x < 0 ? -t : t;
    }

    public static float Derivative(float x)
    {
        float e = XMath.Exp(-2f * XMath.Abs(x));
        float d = 1f + e;
        return 4f * e / (d * d);
    }

    public V Apply<V>(V x) where V : unmanaged, IVec<V>
    {
        var z = x * x;
        var p = V.Fma(V.Splat(P0), z, V.Splat(P1));
        p = V.Fma(p, z, V.Splat(P2));
        p = V.Fma(p, z, V.Splat(P3));
        p = V.Fma(p, z, V.Splat(P4));
        var small = V.Fma(p * z, x, x);
        var a = V.Abs(x);
        var t = V.Splat(1f) - V.Splat(2f) / (SimdMath.Exp(a + a) + V.Splat(1f));
        var large = V.Select(V.Less(x, V.Splat(0f)), V.Splat(0f) - t, t);
        return V.Select(V.Less(a, V.Splat(Small)), small, large);
    }

    public V Derivative<V>(V x) where V : unmanaged, IVec<V>
    {
        var e = SimdMath.Exp(V.Splat(-2f) * V.Abs(x));
        var d = V.Splat(1f) + e;
        return V.Splat(4f) * e / (d * d);
    }
}

/// <summary>
/// Exact GELU x·Φ(x), Φ the normal CDF; f′ = Φ(x) + x·φ(x). Φ comes from the Chebyshev-fitted erfc of Numerical
/// Recipes (fractional error &lt; 1.2e-7): erfc(z)/2 = Φ(−|x|) for z = |x|/√2, used as is for x &lt; 0 and as 1 − it for
/// x ≥ 0, so the left tail keeps its relative accuracy (no 1 + erf cancellation). The coefficients are written once
/// and evaluated by the scalar and the vector Horner loops below.
/// </summary>
internal readonly struct GeluFn : IActivation
{
    const float C0 = -1.26551223f, C1 = 1.00002368f, C2 = 0.37409196f, C3 = 0.09678418f, C4 = -0.18628806f,
        C5 = 0.27886807f, C6 = -1.13520398f, C7 = 1.48851587f, C8 = -0.82215223f, C9 = 0.17087277f;
    const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.3989422804014327f;

    /// <summary>Φ(x) = (1 + erf(x/√2))/2.</summary>
    public static float NormalCdf(float x)
    {
        float z = XMath.Abs(x) * InvSqrt2;
        float t = 1f / (1f + 0.5f * z);
        float poly = C0 + t * (C1 + t * (C2 + t * (C3 + t * (C4 + t * (C5 + t * (C6 + t * (C7 + t * (C8 + t * C9))))))));
        float halfErfc = 0.5f * t * XMath.Exp(poly - z * z);
        return x < 0 ? halfErfc : 1f - halfErfc;
    }

    /// <summary>φ(x) = e^(−x²/2)/√(2π).</summary>
    public static float NormalPdf(float x) => InvSqrt2Pi * XMath.Exp(-0.5f * x * x);

    public static float Forward(float x) => x * NormalCdf(x);
    public static float Derivative(float x) => NormalCdf(x) + x * NormalPdf(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V NormalCdf<V>(V x) where V : unmanaged, IVec<V>
    {
        var z = V.Abs(x) * V.Splat(InvSqrt2);
        var t = V.Splat(1f) / V.Fma(V.Splat(0.5f), z, V.Splat(1f));
        var poly = V.Splat(C9);
        poly = V.Fma(poly, t, V.Splat(C8));
        poly = V.Fma(poly, t, V.Splat(C7));
        poly = V.Fma(poly, t, V.Splat(C6));
        poly = V.Fma(poly, t, V.Splat(C5));
        poly = V.Fma(poly, t, V.Splat(C4));
        poly = V.Fma(poly, t, V.Splat(C3));
        poly = V.Fma(poly, t, V.Splat(C2));
        poly = V.Fma(poly, t, V.Splat(C1));
        poly = V.Fma(poly, t, V.Splat(C0));
        var halfErfc = V.Splat(0.5f) * t * SimdMath.Exp(poly - z * z);
        return V.Select(V.Less(x, V.Splat(0f)), halfErfc, V.Splat(1f) - halfErfc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V NormalPdf<V>(V x) where V : unmanaged, IVec<V> => V.Splat(InvSqrt2Pi) * SimdMath.Exp(x * x * V.Splat(-0.5f));

    public V Apply<V>(V x) where V : unmanaged, IVec<V> => x * NormalCdf(x);
    public V Derivative<V>(V x) where V : unmanaged, IVec<V> => V.Fma(x, NormalPdf(x), NormalCdf(x));
}
