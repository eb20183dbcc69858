using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's LastLevelP6P7, RetinaNet's extra FPN block: P6 = conv3×3/2(x) (<c>backbone.fpn.extra_blocks.p6</c>)
/// and P7 = conv3×3/2(ReLU(P6)) (<c>backbone.fpn.extra_blocks.p7</c>). x is P5 when the block's input width equals
/// its output width (torchvision's <c>use_P5</c>: v1's LastLevelP6P7(256, 256)), else C5 (v2's (2048, 256)).
/// </summary>
public sealed class LastLevelP6P7 : IDisposable
{
    readonly Conv2d _p6, _p7;

    /// <summary>Whether P6 is computed from P5 (true) or from the body's last stage C5.</summary>
    public bool UsesP5 { get; }

    /// <summary>Builds the block: <paramref name="inChannels"/> → <paramref name="channels"/>.</summary>
    public LastLevelP6P7(BuildContext ctx, int inChannels, int channels)
    {
        _p6 = new Conv2d(ctx, "backbone.fpn.extra_blocks.p6", inChannels, channels, (3, 3), (2, 2), (1, 1));
        _p7 = new Conv2d(ctx, "backbone.fpn.extra_blocks.p7", channels, channels, (3, 3), (2, 2), (1, 1));
        UsesP5 = inChannels == channels;
    }

    /// <summary>The tape names of P6 and P7.</summary>
    public IEnumerable<string> LevelNames => [_p6.Path, _p7.Path];

    /// <summary>P6 and P7 from P5 (or C5, see <see cref="UsesP5"/>).</summary>
    public (Var P6, Var P7) Forward(Var p5, Var c5)
    {
        var p6 = _p6.Forward(UsesP5 ? p5 : c5);
        return (p6, _p7.Forward(Ops.Relu(p6)));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _p6.Dispose();
        _p7.Dispose();
    }
}
