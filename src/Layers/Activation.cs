using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>The activations a checkpoint's modules may hold; read from the module's class name, never assumed.</summary>
public enum Activation { Identity, Silu, Relu, Sigmoid, Gelu }

/// <summary>Activations by their PyTorch class name (<c>nn.SiLU</c>), and applied to a <c>Var</c>.</summary>
public static class Activations
{
    /// <summary>Maps a PyTorch module class (<c>torch.nn.modules.activation.SiLU</c> or just <c>SiLU</c>) to an activation.</summary>
    public static Activation FromClassName(string className)
    {
        var name = className[(className.LastIndexOf('.') + 1)..];
        return name switch
        {
            "SiLU" => Activation.Silu,
            "ReLU" => Activation.Relu,
            "Sigmoid" => Activation.Sigmoid,
            "GELU" => Activation.Gelu,
            "Identity" => Activation.Identity,
            _ => throw new InvalidDataException($"activation {name} is not supported (supported: SiLU, ReLU, Sigmoid, GELU, Identity)"),
        };
    }

    /// <summary>The backend's pointwise op for an activation; null for Identity.</summary>
    public static UnaryOp? AsUnary(this Activation a) => a switch
    {
        Activation.Silu => UnaryOp.Silu,
        Activation.Relu => UnaryOp.Relu,
        Activation.Sigmoid => UnaryOp.Sigmoid,
        Activation.Gelu => UnaryOp.Gelu,
        _ => null,
    };

    public static Var Apply(this Activation a, Var x) => a switch
    {
        Activation.Identity => x,
        Activation.Silu => Ops.Silu(x),
        Activation.Relu => Ops.Relu(x),
        Activation.Sigmoid => Ops.Sigmoid(x),
        _ => Ops.Gelu(x),
    };
}
