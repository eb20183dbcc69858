using NativeCam.Autograd;
using Xunit;

namespace NativeCam.Tests;

/// <summary>Runs one case of fixtures/ops/dense.json through its op and checks the output and every input gradient.</summary>
public static class DenseFixture
{
    public const string File = "ops/dense.json";

    /// <summary>Case names of the fixture whose op is one of <paramref name="ops"/> (for MemberData).</summary>
    public static IEnumerable<object[]> Names(params string[] ops) =>
        Fixtures.Load(File).Where(c => ops.Contains(c.Str("op"))).Select(c => new object[] { c.Name });

    /// <summary>Runs case <paramref name="name"/> with its inputs passed to <paramref name="op"/> in the order named.</summary>
    public static void Run(string name, string[] inputs, Func<FixtureCase, Var[], Var> op)
    {
        var c = Fixtures.Case(File, name);
        var r = OpRunner.Run(v => op(c, v), inputs.Select(n => new OpInput(c.Inputs[n].Data, c.Inputs[n].Shape)).ToArray(),
            c.OutputGrad!.Data);
        Assert.Equal(c.Outputs["y"].Shape, r.OutputShape);
        Check.Close(r.Output, c.Outputs["y"].Data, $"{name} forward");
        for (int i = 0; i < inputs.Length; i++)
            Check.Close(r.Grads[i], c.Grads[inputs[i]].Data, $"{name} grad {inputs[i]}");
    }

    /// <summary>One sweep with K gradients equals K sweeps with one each (tight: the same float32 arithmetic).</summary>
    public static void KTargetsMatchSeparateSweeps(Func<Var[], Var> op, OpInput[] inputs, int outputLength, int k, int seed)
    {
        var rng = new Rng(seed);
        var gys = Enumerable.Range(0, k).Select(_ => rng.Uniform(outputLength)).ToArray();
        var batched = OpRunner.Run(op, inputs, gys.SelectMany(g => g).ToArray());
        for (int t = 0; t < k; t++)
        {
            var single = OpRunner.Run(op, inputs, gys[t]);
            for (int i = 0; i < inputs.Length; i++)
            {
                int n = inputs[i].Data.Length;
                Check.Close(batched.Grads[i].AsSpan(t * n, n), single.Grads[i], $"target {t} grad of input {i}", 1e-6, 1e-7);
            }
        }
    }

    public static bool Bool(this FixtureCase c, string name) => c.Params.GetProperty(name).GetBoolean();
}
