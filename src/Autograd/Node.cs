using NativeCam.Tensors;

namespace NativeCam.Autograd;

/// <summary>
/// A recorded op: its inputs (whose forward values stay alive until the tape is disposed) and its
/// backward rule. A rule receives the output gradient gy ([K, ..output shape]) and hands each input
/// that requires a gradient its share through <see cref="Tape.AddGrad"/>.
/// </summary>
public abstract class Node
{
    protected Node(params Var[] inputs) => Inputs = inputs;

    public Var[] Inputs { get; }

    /// <summary>The value this op produced (set when the tape records the op).</summary>
    public Var Output { get; internal set; } = null!;

    /// <summary>Short op name for error messages and docs.</summary>
    public abstract string Op { get; }

    /// <summary>Computes the input gradients from <paramref name="gy"/> and passes them to <paramref name="tape"/>.</summary>
    public abstract void Backward(Tensor gy, Tape tape);

    /// <summary>Number of targets K carried by an output gradient.</summary>
    protected int Targets(Tensor gy) => gy.Length / Math.Max(1, Output.Value.Length);

    /// <summary>A new gradient buffer for input <paramref name="x"/> with K targets.</summary>
    protected static Tensor GradLike(Var x, int k) => Tensor.Empty(x.Device, [k, .. x.Shape]);

    /// <summary>A copy of gradient <paramref name="g"/> shaped as x's gradient. Gradients are never
    /// handed on as views: the tape accumulates into them in place.</summary>
    protected static Tensor CopyAs(Tensor g, Var x, int k)
    {
        using var view = g.Reshape([k, .. x.Shape]);
        return view.Clone();
    }

    protected static IBackend Backend(Var x) => x.Device.Backend;
}
