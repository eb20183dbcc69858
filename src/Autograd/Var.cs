using NativeCam.Tensors;

namespace NativeCam.Autograd;

/// <summary>
/// A value in the computation graph: a device tensor, where it came from, and (after a backward
/// pass) its gradient. Gradients carry a leading batch of K targets: for a value of shape S the
/// gradient has shape [K, ..S], one vector-Jacobian product per target. Parameters are the
/// exception: their gradient is summed over the targets and has shape S.
/// </summary>
public sealed class Var
{
    internal Var(Tensor value, bool requiresGrad, bool isParameter)
    {
        Value = value;
        RequiresGrad = requiresGrad;
        IsParameter = isParameter;
    }

    public Tensor Value { get; }
    public int[] Shape => Value.Shape;
    public Device Device => Value.Device;

    /// <summary>Whether a backward pass computes a gradient for this value (and so records the ops that use it).</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>Model weights: owned by the model, gradient summed over targets, only computed when asked.</summary>
    public bool IsParameter { get; }

    /// <summary>The module path this value was named with (e.g. <c>model.17.cv3.act</c>), if any.</summary>
    public string? Name { get; internal set; }

    /// <summary>The gradient after <see cref="Tape.Backward(Var, Tensor)"/>; null if none reached this value.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>The recorded op that produced this value (null for leaves and for values computed without recording).</summary>
    internal Node? Creator { get; set; }

    /// <summary>Wraps a tensor the caller owns as a graph input.</summary>
    public static Var Input(Tensor value, bool requiresGrad = false) => new(value, requiresGrad, isParameter: false);

    /// <summary>Wraps a model weight. Its gradient is computed only if <paramref name="requiresGrad"/>.</summary>
    public static Var Parameter(Tensor value, bool requiresGrad = false) => new(value, requiresGrad, isParameter: true);

    /// <summary>Backward from this value on the active tape (see <see cref="Tape.Backward(Var, Tensor)"/>).</summary>
    public void Backward(Tensor grad) => Tape.Current.Backward(this, grad);

    /// <summary>Names this value on the active tape so hooks can find its activation and gradient.</summary>
    public Var Named(string name) => Tape.Current.Name(this, name);

    /// <summary>Enables the gradient of a parameter (e.g. to check weight gradients) and clears an old one.</summary>
    public void SetRequiresGrad(bool value)
    {
        RequiresGrad = value;
        ZeroGrad();
    }

    /// <summary>Drops the accumulated gradient.</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    public override string ToString() => $"Var{Tensor.Format(Shape)}{(Name is null ? "" : " " + Name)}";
}
