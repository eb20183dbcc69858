using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>
/// nn.BatchNorm2d in inference mode, for the places where it cannot be folded into a preceding conv
/// (after a concat, as in BottleneckCSP): y = x·s + t per channel, s = γ/√(σ²+ε), t = β − μ·s.
/// </summary>
public sealed class BatchNorm2d : Module
{
    readonly Var _scale, _shift;

    public BatchNorm2d(BuildContext ctx, string path, int channels) : base(path)
    {
        var w = ctx.Weights;
        var gamma = w.Take($"{path}.weight", channels);
        var beta = w.Take($"{path}.bias", channels);
        var mean = w.Take($"{path}.running_mean", channels);
        var variance = w.Take($"{path}.running_var", channels);
        double eps = ctx.BatchNormEps(path);
        var s = new float[channels];
        var t = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double scale = gamma.Data[c] / Math.Sqrt(variance.Data[c] + eps);
            s[c] = (float)scale;
            t[c] = (float)(beta.Data[c] - mean.Data[c] * scale);
        }
        _scale = Parameter(ctx.Device, new HostTensor(s, [1, channels, 1, 1]));
        _shift = Parameter(ctx.Device, new HostTensor(t, [1, channels, 1, 1]));
    }

    public override Var Forward(Var x) => Output(Ops.Add(Ops.Mul(x, _scale), _shift));
}
