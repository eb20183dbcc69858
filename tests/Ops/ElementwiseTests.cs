using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Pointwise ops: forward vs float64, backward vs finite differences and PyTorch autograd, K targets.</summary>
public abstract class ElementwiseTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : ElementwiseTests(TestDevice.Simd);
    public sealed class Ilgpu() : ElementwiseTests(TestDevice.Ilgpu);

    const string File = "ops/elementwise.json";

    static UnaryOp Unary(string op) => RefElementwise.Op(op);

    static Var ApplyUnary(string op, Var x) => Ops.Unary(Unary(op), x, op == "scale" ? 0.75f : 1f);

    /// <summary>Every <see cref="UnaryOp"/> at a short length, and SiLU at an odd length (chunk boundaries do not divide evenly).</summary>
    public static TheoryData<string, int> UnaryCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var op in Enum.GetValues<UnaryOp>()) data.Add(op.ToString().ToLowerInvariant(), 1);
        data.Add("silu", 4099);
        return data;
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryForwardMatchesFloat64AndBackwardMatchesFiniteDifferences(string op, int n)
    {
        var rng = new Rng(n + op.Length);
        int len = n == 1 ? 37 : n;
        var x = rng.Uniform(len, -7, 7);
        // Keep the piecewise ops away from their kinks (0, ±3, 6), where the finite difference is meaningless.
        x = x.Select(v => new[] { 0.0, -3, 3, 6 }.Any(k => Math.Abs(v - k) < 1e-3) ? v + 0.01 : v).ToArray();
        var gy = rng.Uniform(len);
        var r = OpRunner.Run(v => ApplyUnary(op, v[0]), [new(x, [len])], gy);

        Check.Close(r.Output, x.Select(v => RefElementwise.Apply(op, v)).ToArray(), $"{op} forward");
        var numeric = GradCheck.Numeric(p => p.Select(v => RefElementwise.Apply(op, v)).ToArray(), x, gy);
        Check.Close(r.Grads[0], numeric, $"{op} backward vs finite differences");
    }

    public static IEnumerable<object[]> Cases() => Fixtures.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchAutograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var op = c.Str("op");
        OpResult r;
        if (c.Inputs.ContainsKey("b"))
        {
            var (a, b) = (c.Inputs["a"], c.Inputs["b"]);
            r = OpRunner.Run(v => op == "add" ? Ops.Add(v[0], v[1]) : Ops.Mul(v[0], v[1]),
                [new(a.Data, a.Shape), new(b.Data, b.Shape)], c.OutputGrad!.Data);
            Check.Close(r.Grads[1], c.Grads["b"].Data, $"{name} grad b");
            Check.Close(r.Grads[0], c.Grads["a"].Data, $"{name} grad a");
        }
        else
        {
            var x = c.Inputs["x"];
            r = OpRunner.Run(v => ApplyUnary(op, v[0]), [new(x.Data, x.Shape)], c.OutputGrad!.Data);
            Check.Close(r.Grads[0], c.Grads["x"].Data, $"{name} grad x");
        }
        Check.Close(r.Output, c.Outputs["y"].Data, $"{name} forward");
    }

    [Theory]
    [InlineData("add")]
    [InlineData("mul")]
    public void BroadcastBackwardMatchesFiniteDifferences(string op)
    {
        var rng = new Rng(7);
        int[] aShape = [2, 3, 4, 5];
        var a = rng.Uniform(120);
        var b = rng.Uniform(3);
        var gy = rng.Uniform(120);
        var r = OpRunner.Run(v => Ops.Binary(op == "add" ? BinaryOp.Add : BinaryOp.Mul, v[0], v[1]),
            [new(a, aShape), new(b, [1, 3, 1, 1])], gy);
        Check.Close(r.Output, RefElementwise.Binary(op, a, b, 20), $"{op} forward");
        Check.Close(r.Grads[0], GradCheck.Numeric(p => RefElementwise.Binary(op, p, b, 20), a, gy), $"{op} grad a");
        Check.Close(r.Grads[1], GradCheck.Numeric(p => RefElementwise.Binary(op, a, p, 20), b, gy), $"{op} grad b");
    }

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var rng = new Rng(3);
        var x = rng.Uniform(60);
        var w = rng.Uniform(60);
        var gys = new[] { rng.Uniform(60), rng.Uniform(60), rng.Uniform(60) };
        Func<Var[], Var> f = v => Ops.Silu(Ops.Mul(Ops.Gelu(v[0]), v[1]));
        var batched = OpRunner.Run(f, [new(x, [3, 20]), new(w, [3, 20])], gys.SelectMany(g => g).ToArray());
        for (int k = 0; k < 3; k++)
        {
            var single = OpRunner.Run(f, [new(x, [3, 20]), new(w, [3, 20])], gys[k]);
            Check.Close(batched.Grads[0].AsSpan(k * 60, 60), single.Grads[0], $"target {k} grad x", 1e-6, 1e-7);
            Check.Close(batched.Grads[1].AsSpan(k * 60, 60), single.Grads[1], $"target {k} grad w", 1e-6, 1e-7);
        }
    }
}
