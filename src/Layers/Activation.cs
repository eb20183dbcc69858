using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>The activations a checkpoint's modules may hold; read from the module's class name, never assumed.</summary>
public enum Activation { Identity, Silu, Relu, Sigmoid, Gelu, Tanh, Relu6, Hardsigmoid, Hardswish }

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
            "Tanh" => Activation.Tanh,
            "ReLU6" => Activation.Relu6,
            "Hardsigmoid" => Activation.Hardsigmoid,
            "Hardswish" => Activation.Hardswish,
            "Identity" => Activation.Identity,
            _ => throw new InvalidDataException($"activation {name} is not supported (supported: SiLU, ReLU, Sigmoid, GELU, Tanh, ReLU6, Hardsigmoid, Hardswish, Identity)"),
        };
    }

    /// <summary>The backend's pointwise op for an activation; null for Identity. An activation without an op throws.</summary>
    public static UnaryOp? AsUnary(this Activation a) => a switch
    {
        Activation.Identity => null,
        Activation.Silu => UnaryOp.Silu,
        Activation.Relu => UnaryOp.Relu,
        Activation.Sigmoid => UnaryOp.Sigmoid,
        Activation.Gelu => UnaryOp.Gelu,
        Activation.Tanh => UnaryOp.Tanh,
        Activation.Relu6 => UnaryOp.Relu6,
        Activation.Hardsigmoid => UnaryOp.Hardsigmoid,
        Activation.Hardswish => UnaryOp.Hardswish,
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "no such activation"),
    };

    /// <summary>The activation applied to <paramref name="x"/> (x itself for Identity).</summary>
    public static Var Apply(this Activation a, Var x) => a.AsUnary() is { } op ? Ops.Unary(op, x) : x;
}
