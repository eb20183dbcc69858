using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// RepeatBatch ([1, …] → [B, …]) forward and backward (K targets, vs finite differences; the backward is a sum over
/// the batch, exact in float64 up to float32 rounding), and <see cref="Tape.RepeatsBatch"/>: Add, Mul, AddRelu and
/// Concat meeting a batch of B and a batch of one compute what B separate forwards would, and only when asked.
/// </summary>
public abstract class RepeatBatchTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : RepeatBatchTests(TestDevice.Simd);
    public sealed class Ilgpu() : RepeatBatchTests(TestDevice.Ilgpu);

    static double[] Repeat(double[] x, int batch) => Enumerable.Range(0, batch).SelectMany(_ => x).ToArray();

    [Fact]
    public void Forward_copies_the_one_image_and_backward_sums_over_the_batch_for_each_target()
    {
        var rng = new Rng(5);
        var x = rng.Uniform(2 * 3 * 2);
        const int batch = 3, k = 2;
        var gy = rng.Uniform(k * batch * x.Length);
        var r = OpRunner.Run(v => Ops.RepeatBatch(v[0], batch), [new OpInput(x, [1, 2, 3, 2])], gy);
        Assert.Equal([batch, 2, 3, 2], r.OutputShape);
        Check.Close(r.Output, Repeat(x, batch), "repeat forward", 0, 0);
        for (int t = 0; t < k; t++)
        {
            var numeric = GradCheck.Numeric(p => Repeat(p, batch), x, gy[(t * batch * x.Length)..((t + 1) * batch * x.Length)]);
            Check.Close(r.Grads[0].AsSpan(t * x.Length, x.Length), numeric, $"repeat grad, target {t}");
        }
    }

    [Theory]
    [InlineData("add")]
    [InlineData("mul")]
    [InlineData("addrelu")]
    [InlineData("concat")]
    public void Under_RepeatsBatch_an_op_joining_a_batch_and_one_image_equals_the_op_on_repeated_copies(string op)
    {
        var rng = new Rng(op.Length);
        var one = rng.Uniform(2 * 2 * 3);   // [1, 2, 2, 3]: from below the substituted layer
        var many = rng.Uniform(4 * 2 * 2 * 3); // [4, 2, 2, 3]: the batch above it
        Func<Var, Var, Var> f = op switch
        {
            "add" => Ops.Add,
            "mul" => Ops.Mul,
            "addrelu" => Ops.AddRelu,
            _ => (a, b) => Ops.Concat(a, b),
        };
        var gy = rng.Uniform(op == "concat" ? 4 * 4 * 2 * 3 : many.Length);
        var joined = OpRunner.Run(v => { Tape.Current.RepeatsBatch = true; return f(v[0], v[1]); },
            [new OpInput(one, [1, 2, 2, 3]), new OpInput(many, [4, 2, 2, 3])], gy);
        var repeated = OpRunner.Run(v => f(v[0], v[1]), [new OpInput(Repeat(one, 4), [4, 2, 2, 3]), new OpInput(many, [4, 2, 2, 3])], gy);
        Assert.Equal(repeated.OutputShape, joined.OutputShape);
        Check.Close(joined.Output, repeated.Output, $"{op} forward", 0, 0);
        Check.Close(joined.Grads[1], repeated.Grads[1], $"{op} grad of the batch", 0, 0);
        var summed = new float[one.Length]; // the one image's gradient is the repeated copies' summed
        for (int i = 0; i < repeated.Grads[0]!.Length; i++) summed[i % one.Length] += repeated.Grads[0]![i];
        Check.Close(joined.Grads[0], summed, $"{op} grad of the one image", 1e-6, 1e-7);
    }

    [Fact]
    public void Without_RepeatsBatch_a_batch_of_one_is_not_repeated()
    {
        using var a = Tensor.Zeros(TestDevice.CurrentOrDefault, 1, 2, 3, 3);
        using var b = Tensor.Zeros(TestDevice.CurrentOrDefault, 2, 2, 3, 3);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat(Var.Input(a), Var.Input(b)));
        Assert.Equal("Concat: [2, 2, 3, 3] does not match [1, 2, 3, 3] outside dimension 1", e.Message);
        Assert.Throws<ArgumentException>(() => Ops.RepeatBatch(Var.Input(b), 3));
    }
}
