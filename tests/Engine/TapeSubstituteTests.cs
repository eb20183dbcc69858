using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary><see cref="Tape.Substitute"/>: the named value is replaced once, where the forward names it, and what is
/// computed from the name's result sees the replacement (Ablation-CAM's ablated activations enter the network so).</summary>
public class TapeSubstituteTests
{
    static Device D => TestDevice.Default;

    [Fact]
    public void The_layers_above_a_substituted_name_compute_on_the_replacement_once()
    {
        using var x = Tensor.FromArray(D, [1f, -2f, 3f], 3);
        using var tape = new Tape();
        using var replacement = Tensor.FromArray(D, [5f, 6f, 7f], 3);
        var seen = new List<float[]>();
        tape.Substitute("hidden", v =>
        {
            seen.Add(v.Value.ToArray());
            return Var.Input(replacement);
        });
        var hidden = Ops.Relu(Var.Input(x)).Named("hidden");
        var y = Ops.Add(hidden, hidden);
        var again = Ops.Relu(Var.Input(x)).Named("hidden"); // a second naming is not replaced
        Assert.Equal([[1f, 0f, 3f]], seen);
        Assert.Equal([10f, 12f, 14f], y.Value.ToArray());
        Assert.Equal([5f, 6f, 7f], hidden.Value.ToArray());
        Assert.Equal([1f, 0f, 3f], again.Value.ToArray());
    }
}
