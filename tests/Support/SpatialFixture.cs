using NativeCam.Autograd;

namespace NativeCam.Tests;

/// <summary>Runs a spatial-op fixture case: its named inputs (those present, in order) all require gradients.</summary>
public static class SpatialFixture
{
    public static OpResult Run(FixtureCase c, Func<Var[], Var> op, params string[] names)
    {
        var inputs = names.Where(c.Inputs.ContainsKey).Select(n => new OpInput(c.Inputs[n].Data, c.Inputs[n].Shape)).ToArray();
        return OpRunner.Run(op, inputs, c.OutputGrad!.Data);
    }

    /// <summary>Checks the output and the gradient of every named input present in the case.</summary>
    public static void CheckAll(FixtureCase c, OpResult r, params string[] names)
    {
        Check.Close(r.Output, c.Outputs["y"].Data, $"{c.Name} forward");
        int i = 0;
        foreach (var n in names.Where(c.Inputs.ContainsKey))
            Check.Close(r.Grads[i++], c.Grads[n].Data, $"{c.Name} grad {n}");
    }
}
