using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>
/// Float64 reference of every pointwise op and its derivative (the truth the kernels are checked against), written
/// for accuracy, not speed: tails from e^−|x| and erfc, never from a rounded 1 − σ or 1 + erf. An op without a
/// reference throws, so a new <see cref="UnaryOp"/> fails every test that enumerates the ops until it has one.
/// </summary>
public static class RefElementwise
{
    /// <summary>The α the tests give Scale.</summary>
    public const double Alpha = 0.75;

    public static double Erf(double x) => x < 0 ? Erfc(-x) - 1 : 1 - Erfc(x);

    /// <summary>erfc by erf's Maclaurin series below 2.5 (erfc ≥ 4e-4 there) and the continued fraction beyond: ~1e-15 relative.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2.5)
        {
            double term = x, sum = x;
            for (int n = 1; n < 80; n++)
            {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        if (double.IsPositiveInfinity(x)) return 0;
        double f = x;
        for (int n = 60; n >= 1; n--) f = x + n / 2.0 / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Φ, the normal CDF.</summary>
    static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>f(x).</summary>
    public static double Forward(UnaryOp op, double x, double alpha = Alpha) => op switch
    {
        UnaryOp.Scale => alpha * x,
        UnaryOp.Relu => x < 0 ? 0 : x,
        UnaryOp.Relu6 => x < 0 ? 0 : x > 6 ? 6 : x,
        UnaryOp.Sigmoid => Sigmoid(x),
        UnaryOp.Silu => x * Sigmoid(x),
        UnaryOp.Gelu => x * NormalCdf(x),
        UnaryOp.Tanh => Math.Tanh(x),
        UnaryOp.Hardsigmoid => x < -3 ? 0 : x > 3 ? 1 : (x + 3) / 6,
        UnaryOp.Hardswish => x < -3 ? 0 : x > 3 ? x : x * (x + 3) / 6,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no float64 reference"),
    };

    /// <summary>f′(x), with PyTorch's choices at the kinks (ReLU′(0) = 0, ReLU6′ and Hardsigmoid′ 0 at the ends, Hardswish′(±3) = x/3 + 1/2).</summary>
    public static double Derivative(UnaryOp op, double x, double alpha = Alpha) => op switch
    {
        UnaryOp.Scale => alpha,
        UnaryOp.Relu => x > 0 ? 1 : 0,
        UnaryOp.Relu6 => x > 0 && x < 6 ? 1 : 0,
        UnaryOp.Sigmoid => Sigmoid(x) * Sigmoid(-x),
        UnaryOp.Silu => Sigmoid(x) * (1 + x * Sigmoid(-x)),
        UnaryOp.Gelu => NormalCdf(x) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI),
        UnaryOp.Tanh => 1 / (Math.Cosh(x) * Math.Cosh(x)),
        UnaryOp.Hardsigmoid => x > -3 && x < 3 ? 1.0 / 6 : 0,
        UnaryOp.Hardswish => x < -3 ? 0 : x > 3 ? 1 : x / 3 + 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no float64 reference"),
    };

    /// <summary>An op by its fixture name ("relu", "hardswish").</summary>
    public static UnaryOp Op(string name) => Enum.Parse<UnaryOp>(name, ignoreCase: true);

    public static double Apply(string op, double x) => Forward(Op(op), x);

    /// <summary>y[i] = a[i] op b[(i / inner) mod |b|].</summary>
    public static double[] Binary(string op, double[] a, double[] b, int inner) =>
        a.Select((v, i) => op == "add" ? v + b[i / inner % b.Length] : v * b[i / inner % b.Length]).ToArray();
}
