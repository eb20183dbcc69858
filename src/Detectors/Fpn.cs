using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's FeaturePyramidNetwork with LastLevelMaxPool over the ResNet body's layer1–layer4: a 1×1 lateral conv
/// per level (<c>backbone.fpn.inner_blocks.i.0</c>), a top-down path (nearest upsampling ×2 — the padded image's
/// levels halve exactly — added to the lateral), a 3×3 output conv per level (<c>backbone.fpn.layer_blocks.i.0</c>,
/// whose output is the level's tape name), and P6 = max_pool2d(P5, 1, 2) named <c>backbone.fpn.pool</c>.
/// </summary>
public sealed class Fpn : IDisposable
{
    /// <summary>The names torchvision gives the levels ('0'…'3', 'pool').</summary>
    public static readonly string[] LevelKeys = ["0", "1", "2", "3", "pool"];

    readonly Conv2d[] _inner, _layer;

    /// <summary>Builds the FPN on <paramref name="inChannels"/> (the body's stage widths) with <paramref name="channels"/> outputs.</summary>
    public Fpn(BuildContext ctx, IReadOnlyList<int> inChannels, int channels)
    {
        _inner = new Conv2d[inChannels.Count];
        _layer = new Conv2d[inChannels.Count];
        for (int i = 0; i < inChannels.Count; i++)
        {
            _inner[i] = new Conv2d(ctx, $"backbone.fpn.inner_blocks.{i}.0", inChannels[i], channels, (1, 1), (1, 1), (0, 0));
            _layer[i] = new Conv2d(ctx, $"backbone.fpn.layer_blocks.{i}.0", channels, channels, (3, 3), (1, 1), (1, 1));
        }
    }

    /// <summary>The output convs' paths: the watchable FPN levels (P2–P5); P6 is <c>backbone.fpn.pool</c>.</summary>
    public IEnumerable<string> LevelNames => _layer.Select(l => l.Path).Append("backbone.fpn.pool");

    /// <summary>P2…P6 from layer1…layer4.</summary>
    public Var[] Forward(IReadOnlyList<Var> stages)
    {
        var results = TopDown(stages);
        return [.. results, Ops.MaxPool2d(results[^1], 1, 2, 0).Named("backbone.fpn.pool")];
    }

    /// <summary>
    /// The pyramid without an extra block: one output per input stage (Faster R-CNN: P2–P5 from layer1–layer4;
    /// RetinaNet: P3–P5 from layer2–layer4, then <see cref="LastLevelP6P7"/>).
    /// </summary>
    public Var[] TopDown(IReadOnlyList<Var> stages)
    {
        int n = stages.Count;
        var results = new Var[n];
        var last = _inner[n - 1].Forward(stages[n - 1]);
        results[n - 1] = _layer[n - 1].Forward(last);
        for (int i = n - 2; i >= 0; i--)
        {
            var lateral = _inner[i].Forward(stages[i]);
            if (lateral.Shape[2] != last.Shape[2] * 2 || lateral.Shape[3] != last.Shape[3] * 2)
                throw new InvalidOperationException($"FPN level {i}: {lateral.Shape[2]}x{lateral.Shape[3]} is not twice {last.Shape[2]}x{last.Shape[3]} (input not padded to 32?)");
            last = Ops.Add(lateral, Ops.Upsample(last, 2));
            results[i] = _layer[i].Forward(last);
        }
        return results;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var m in _inner.Concat(_layer)) m.Dispose();
    }
}
