using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>The activation closing a torchvision Conv2dNormActivation.</summary>
enum NormActivation { None, Relu, Hardswish, Silu }

/// <summary>
/// torchvision.ops.Conv2dNormActivation at <c>path</c>: <c>{path}.0</c> conv (no bias, "same" padding), <c>.1</c>
/// BatchNorm (folded into the conv), <c>.2</c> the activation, output named <c>path</c>. The activations are in-place
/// in torchvision: for ReLU a hook on the BatchNorm then sees the activated values (<see cref="InPlaceRelu"/>), for
/// Hardswish and SiLU (not idempotent) NativeCam's <c>.1</c> holds the BatchNorm output itself.
/// </summary>
sealed class ConvNormActivation
{
    readonly ConvBn _conv;
    readonly NormActivation _kind;

    public ConvNormActivation(BuildContext ctx, ClassifierModel owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin,
        int stride, bool depthwise, NormActivation act, double eps, string family)
    {
        Path = path;
        var w = ArchInference.Shape(shapes, $"{path}.0.weight");
        if (w.Length != 4 || w[2] != w[3] || w[2] % 2 == 0 || w[1] != (depthwise ? 1 : cin))
            throw new InvalidDataException($"{family}: {path}.0.weight is [{string.Join(", ", w)}], expected a square {(depthwise ? "depthwise " : "")}conv of {cin} channels");
        (Out, Kernel, _kind) = (w[0], w[2], act);
        _conv = owner.Register(new ConvBn(ctx, $"{path}.0", $"{path}.1", cin, Out, Kernel, stride, (Kernel - 1) / 2, depthwise ? cin : 1, eps));
    }

    public string Path { get; }
    public int Out { get; }
    public int Kernel { get; }

    // conv + BN + activation in one fused conv pass; the activation's tap `.2` and (ReLU: in place, InPlaceRelu; others:
    // the BatchNorm output) `.1` are those of the unfused modules.
    public Var Forward(Var x)
    {
        Var y;
        switch (_kind)
        {
            case NormActivation.None: y = _conv.Forward(x); break;
            case NormActivation.Relu: y = InPlaceRelu.Fused(_conv, x, UnaryOp.Relu, a => Ops.Relu(a).Named($"{Path}.2")); break;
            case NormActivation.Hardswish: y = Activated(x, UnaryOp.Hardswish).Named($"{Path}.2"); break;
            case NormActivation.Silu: y = Activated(x, UnaryOp.Silu).Named($"{Path}.2"); break;
            default: throw new InvalidOperationException($"Conv2dNormActivation: no activation {_kind}");
        }
        return y.Named(Path);
    }

    Var Activated(Var x, UnaryOp act) => _conv.ForwardActivated(x, act).Activated;
}
