using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5's <c>Conv</c>: Conv2d (no bias) → BatchNorm2d → activation. The BatchNorm is folded into the
/// conv at load, so one kernel runs; a checkpoint that was already fused (conv with bias, no bn) loads
/// as is. The activation is the one the checkpoint holds at <c>{path}.act</c> (SiLU in v6). The output is
/// named <c>{path}.act</c> and <c>{path}</c>, as PyTorch's module hooks would see it.
/// </summary>
public sealed class ConvBlock : Module
{
    readonly Var _weight, _bias;
    readonly (int H, int W) _stride, _padding;
    readonly int _groups;
    readonly Activation _act;

    public ConvBlock(BuildContext ctx, string path, int c1, int c2, (int H, int W) k, (int H, int W) s,
        (int H, int W)? p = null, int g = 1, bool act = true)
        : base(path)
    {
        (_stride, _padding, _groups) = (s, p ?? (k.H / 2, k.W / 2), g);
        if (c1 % g != 0 || c2 % g != 0) throw new InvalidDataException($"{path}: {c1}→{c2} channels do not split into {g} groups");
        var w = ctx.Weights;
        var weight = w.Take($"{path}.conv.weight", c2, c1 / g, k.H, k.W);
        var bias = w.TakeOptional($"{path}.conv.bias");
        if (w.Contains($"{path}.bn.weight"))
        {
            (weight, bias) = BatchNormFold.Fold(weight, bias,
                w.Take($"{path}.bn.weight", c2), w.Take($"{path}.bn.bias", c2),
                w.Take($"{path}.bn.running_mean", c2), w.Take($"{path}.bn.running_var", c2),
                ctx.BatchNormEps($"{path}.bn"));
        }
        bias ??= new HostTensor(new float[c2], [c2]);
        _weight = Parameter(ctx.Device, weight);
        _bias = Parameter(ctx.Device, bias);
        _act = ctx.ActivationAt($"{path}.act", act ? Activation.Silu : Activation.Identity);
        OutChannels = c2;
    }

    public ConvBlock(BuildContext ctx, string path, int c1, int c2, int k = 1, int s = 1, int? p = null, int g = 1, bool act = true)
        : this(ctx, path, c1, c2, (k, k), (s, s), p is int pp ? (pp, pp) : null, g, act) { }

    public int OutChannels { get; }

    public override Var Forward(Var x)
    {
        if (_act.AsUnary() is UnaryOp act)
        {
            // One backend pass for conv + activation; recorded as the two ops, so taps and gradients are unchanged
            // (an inference tape keeps no conv output, nor does a watched-only one unless `.bn` is watched: then there
            // is no `.bn` tap).
            var (conv, activated) = Ops.Conv2dActivation(x, _weight, _bias, _stride, _padding, _groups, act, $"{Path}.bn");
            conv?.Named($"{Path}.bn");
            return Output(Output(activated, "act"));
        }
        var y = Ops.Conv2d(x, _weight, _bias, _stride, _padding, _groups).Named($"{Path}.bn");
        return Output(Output(y, "act"));
    }
}
