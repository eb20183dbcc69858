using NativeCam.Tensors;

namespace NativeCam.Autograd;

/// <summary>
/// A backward rule installed on a tape (<see cref="Tape.Override"/>) that replaces the rule of the nodes it claims,
/// for methods that want something other than the true gradient (guided backpropagation clips negative gradients
/// at rectifiers). The core stays plain autograd; such rules live with the method that needs them.
/// </summary>
public interface IBackwardOverride
{
    /// <summary>
    /// Either computes <paramref name="node"/>'s input gradients from <paramref name="gy"/>, hands them to
    /// <paramref name="tape"/>'s <see cref="Tape.AddGrad"/> and returns true, or returns false to leave the node its own rule.
    /// </summary>
    bool TryBackward(Node node, Tensor gy, Tape tape);
}
