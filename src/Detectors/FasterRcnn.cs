using NativeCam.Autograd;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's FasterRCNN (v1, ResNet-FPN) at inference, equal to torchvision 0.14's: GeneralizedRCNNTransform,
/// the ResNet body (src/Classifiers' ResNet, BatchNorm folded with eps 1e-5 as FrozenBatchNorm2d/BatchNorm2d use) named
/// <c>backbone.body.*</c>, FPN + LastLevelMaxPool, the RPN and its proposals, MultiScaleRoIAlign, TwoMLPHead,
/// FastRCNNPredictor and postprocess (docs/detectors.md). Every tensor of the state dict must be used.
/// </summary>
public sealed class FasterRcnn : IDisposable
{
    readonly ResNet _body;
    readonly Fpn _fpn;
    readonly RpnHead _rpn;
    readonly BoxHead _head;

    /// <summary>The architecture read from the weights.</summary>
    public FasterRcnnArch Arch { get; }

    /// <summary>Inference settings (sizes, top-n, thresholds).</summary>
    public RcnnOptions Options { get; }

    /// <summary>The device the model runs on.</summary>
    public Device Device { get; }

    FasterRcnn(Device device, FasterRcnnCheckpoint checkpoint, RcnnOptions options)
    {
        options.Validate();
        (Device, Arch, Options) = (device, checkpoint.Arch, options);
        var weights = new TorchvisionStateDict(checkpoint.Tensors);
        var none = new Dictionary<string, ModuleInfo>();
        _body = ResNet.Body(new BuildContext(device, weights.Body, none), weights.BodyShapes);
        var ctx = new BuildContext(device, weights.Rest, none);
        _fpn = new Fpn(ctx, _body.StageChannels, Arch.FpnChannels);
        _rpn = new RpnHead(ctx, Arch.FpnChannels, AnchorGenerator.PerLocation);
        _head = new BoxHead(ctx, Arch.FpnChannels * MultiScaleRoiAlign.OutputSize * MultiScaleRoiAlign.OutputSize, Arch.Representation, Arch.Classes);
        weights.ThrowIfUnused(Arch.Name, Dispose);
    }

    /// <summary>Builds the model of <paramref name="checkpoint"/> on <paramref name="device"/>.</summary>
    public static FasterRcnn Build(Device device, FasterRcnnCheckpoint checkpoint, RcnnOptions? options = null) =>
        new(device, checkpoint, options ?? new RcnnOptions());

    /// <summary>Reads a weight file and builds its model.</summary>
    public static FasterRcnn Load(Device device, string path, RcnnOptions? options = null) => Build(device, FasterRcnnCheckpoint.Load(path), options);

    /// <summary>The watchable FPN levels (P2–P5 output convs and P6), the default CAM layers.</summary>
    public IEnumerable<string> LevelNames => _fpn.LevelNames;

    /// <summary>
    /// The whole forward on the current tape: transform, backbone, FPN, RPN proposals, RoIAlign, box head and
    /// postprocess. The class logits stay differentiable down to the watched layers.
    /// </summary>
    public RcnnPass Run(RgbImage image)
    {
        var input = RcnnTransform.Apply(image, Options);
        return Forward(Tape.Current.Untracked(Tensor.FromArray(Device, input.Pixels, 1, 3, input.PaddedH, input.PaddedW)), input);
    }

    /// <summary>
    /// The forward from the transformed image <paramref name="x"/> [1, 3, PaddedH, PaddedW] of <paramref name="input"/>
    /// (what the CAM core feeds an adapter).
    /// </summary>
    public RcnnPass Forward(Var x, RcnnInput input)
    {
        if (x.Shape is not [1, 3, var h, var w] || h != input.PaddedH || w != input.PaddedW)
            throw new ArgumentException($"Faster R-CNN: input {Tensor.Format(x.Shape)} is not the transformed image [1, 3, {input.PaddedH}, {input.PaddedW}]");
        Var[] stages;
        using (Tape.Current.NamePrefix("backbone.body."))
            stages = _body.ForwardStages(x);
        var levels = _fpn.Forward(stages);
        var rpnLevels = new List<(float[], float[], float[])>();
        for (int l = 0; l < levels.Length; l++)
        {
            var (objectness, deltas) = _rpn.Forward(levels[l]);
            var anchors = AnchorGenerator.Level(AnchorGenerator.Sizes[l], levels[l].Shape[2], levels[l].Shape[3], input.PaddedH, input.PaddedW);
            rpnLevels.Add((objectness, deltas, anchors));
        }
        var proposals = RpnProposals.Select(rpnLevels, input, Options);
        if (proposals.Length == 0) return new RcnnPass(input, levels, proposals, null, null, [], [], [], []);
        var (pooled, order) = MultiScaleRoiAlign.Apply(levels[..^1], proposals, input);
        var (logits, deltasVar) = _head.Forward(pooled);
        int n = order.Length, classes = Arch.Classes;
        var rowOf = new int[n];
        for (int k = 0; k < n; k++) rowOf[order[k]] = k;
        var hostLogits = Reorder(logits.Value.ToArray(), rowOf, classes);
        var hostDeltas = Reorder(deltasVar.Value.ToArray(), rowOf, classes * 4);
        var detections = RoiPostprocess.Select(proposals, hostLogits, hostDeltas, classes, input, Options);
        return new RcnnPass(input, levels, proposals, pooled, logits, rowOf, hostLogits, hostDeltas, detections);
    }

    // Rows of width w from level order back to proposal order.
    static float[] Reorder(float[] rows, int[] rowOf, int w)
    {
        var result = new float[rows.Length];
        for (int p = 0; p < rowOf.Length; p++) Array.Copy(rows, rowOf[p] * w, result, p * w, w);
        return result;
    }

    /// <summary>Detections only (an inference tape).</summary>
    public IReadOnlyList<RcnnDetection> Detect(RgbImage image)
    {
        using var tape = new Tape { Inference = true };
        return Run(image).Detections;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _body.Dispose();
        _fpn.Dispose();
        _rpn.Dispose();
        _head.Dispose();
    }
}
