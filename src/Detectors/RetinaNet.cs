using NativeCam.Autograd;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RetinaNet (v1, ResNet-FPN) at inference, equal to torchvision 0.14's: GeneralizedRCNNTransform, the
/// ResNet body (<c>backbone.body.*</c>), FPN over C3–C5 (<c>backbone.fpn.*</c>) with LastLevelP6P7, the anchors
/// (3 sizes × 3 ratios per location), RetinaNetHead and postprocess_detections (docs/detectors.md). It shares the
/// transform, body, FPN, anchor generator, box coder and NMS with <see cref="FasterRcnn"/>. Every tensor of the
/// state dict must be used.
/// </summary>
public sealed class RetinaNet : IDisposable
{
    readonly ResNet _body;
    readonly Fpn _fpn;
    readonly LastLevelP6P7 _extra;
    readonly RetinaHead _head;

    /// <summary>The architecture read from the weights.</summary>
    public RetinaNetArch Arch { get; }

    /// <summary>Inference settings (sizes, thresholds, top-k).</summary>
    public RetinaOptions Options { get; }

    /// <summary>The device the model runs on.</summary>
    public Device Device { get; }

    RetinaNet(Device device, RetinaNetCheckpoint checkpoint, RetinaOptions options)
    {
        options.Validate();
        (Device, Arch, Options) = (device, checkpoint.Arch, options);
        var weights = new TorchvisionStateDict(checkpoint.Tensors);
        var none = new Dictionary<string, ModuleInfo>();
        _body = ResNet.Body(new BuildContext(device, weights.Body, none), weights.BodyShapes);
        var ctx = new BuildContext(device, weights.Rest, none);
        _fpn = new Fpn(ctx, _body.StageChannels.Skip(1).ToArray(), Arch.FpnChannels);
        int p6In = checkpoint.Tensors["backbone.fpn.extra_blocks.p6.weight"].Shape[1];
        _extra = new LastLevelP6P7(ctx, p6In, Arch.FpnChannels);
        _head = new RetinaHead(ctx, Arch.FpnChannels, Arch.Anchors, Arch.Classes);
        weights.ThrowIfUnused(Arch.Name, Dispose);
    }

    /// <summary>Builds the model of <paramref name="checkpoint"/> on <paramref name="device"/>.</summary>
    public static RetinaNet Build(Device device, RetinaNetCheckpoint checkpoint, RetinaOptions? options = null) =>
        new(device, checkpoint, options ?? new RetinaOptions());

    /// <summary>Reads a weight file and builds its model.</summary>
    public static RetinaNet Load(Device device, string path, RetinaOptions? options = null) => Build(device, RetinaNetCheckpoint.Load(path), options);

    /// <summary>The pyramid levels' tape names, P3–P7 (the default CAM layers: a box's level).</summary>
    public IReadOnlyList<string> LevelNames => [.. _fpn.LevelNames.Take(3), .. _extra.LevelNames];

    /// <summary>The transform, backbone, head and postprocess of <paramref name="image"/> on the current tape.</summary>
    public RetinaPass Run(RgbImage image)
    {
        var input = RcnnTransform.Apply(image, Options.Transform);
        return Forward(Tape.Current.Untracked(Tensor.FromArray(Device, input.Pixels, 1, 3, input.PaddedH, input.PaddedW)), input);
    }

    /// <summary>The forward from the transformed image <paramref name="x"/> [1, 3, PaddedH, PaddedW] of <paramref name="input"/>.</summary>
    public RetinaPass Forward(Var x, RcnnInput input)
    {
        if (x.Shape is not [1, 3, var h, var w] || h != input.PaddedH || w != input.PaddedW)
            throw new ArgumentException($"RetinaNet: input {Tensor.Format(x.Shape)} is not the transformed image [1, 3, {input.PaddedH}, {input.PaddedW}]");
        Var[] stages;
        using (Tape.Current.NamePrefix("backbone.body."))
            stages = _body.ForwardStages(x);
        var pyramid = _fpn.TopDown(stages[1..]);
        var (p6, p7) = _extra.Forward(pyramid[^1], stages[^1]);
        Var[] levels = [.. pyramid, p6, p7];
        var logits = new Var[levels.Length];
        var post = new List<RetinaPostprocess.Level>();
        for (int l = 0; l < levels.Length; l++)
        {
            var (cls, deltas) = _head.Forward(levels[l]);
            logits[l] = cls;
            var cell = AnchorGenerator.CellAnchors(AnchorGenerator.RetinaSizes(l));
            var anchors = AnchorGenerator.Shift(cell, levels[l].Shape[2], levels[l].Shape[3], input.PaddedH, input.PaddedW);
            post.Add(new RetinaPostprocess.Level(cls.Value.ToArray(), deltas, anchors));
        }
        var detections = RetinaPostprocess.Select(post, Arch.Anchors, Arch.Classes, input, Options);
        return new RetinaPass(input, levels, logits, detections);
    }

    /// <summary>Detections only (an inference tape).</summary>
    public IReadOnlyList<RetinaDetection> Detect(RgbImage image)
    {
        using var tape = new Tape { Inference = true };
        return Run(image).Detections;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _body.Dispose();
        _fpn.Dispose();
        _extra.Dispose();
        _head.Dispose();
    }
}
