using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// YOLOv5 for the CAM core: layers are module paths (<c>model.17.cv3.act</c>, or the seed tools'
/// <c>model_17_cv3_act</c>), a target's default layer is the one feeding its own Detect level, and a target's score is
/// its raw class logit, its objectness logit or its confidence σ(obj)·σ(cls), at its own anchor and grid cell or over
/// the predictions of its box (docs/cam.md).
/// </summary>
public sealed class YoloCamAdapter(YoloModel model) : ICamAdapter<YoloTargets>, ICamScores<YoloTargets>
{
    /// <summary>The network explained.</summary>
    public YoloModel Model { get; } = model;

    int _inputHeight;

    /// <inheritdoc/>
    public Var[] Forward(Var input)
    {
        _inputHeight = input.Shape[2]; // box targets need each level's stride: input height / grid height
        return Model.Forward(input);
    }

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => YoloModel.NormalizeLayerName(name);

    /// <inheritdoc/>
    public string LayerHint => "layers look like model.17 or model.17.cv3.act";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => Enumerable.Range(0, Model.Head.Levels).Select(AutoLayer).ToArray();

    /// <summary>The layer feeding Detect level <paramref name="level"/>: <c>model.{Detect.From[level]}</c>.</summary>
    public string AutoLayer(int level)
    {
        var from = Model.Layers[^1].From;
        if (level < 0 || level >= from.Length)
            throw new ArgumentOutOfRangeException(nameof(level), $"Detect has {from.Length} levels, not level {level}");
        return $"model.{from[level]}";
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, YoloTargets targets)
    {
        var head = Model.Head;
        foreach (var t in targets.Items)
        {
            if (t.Level < 0 || t.Level >= head.Levels || t.Anchor < 0 || t.Anchor >= head.AnchorsPerLevel ||
                t.ClassId < 0 || t.ClassId >= head.Classes || t.GridY < 0 || t.GridX < 0)
                throw new ArgumentException($"CAM: target {t} is outside the Detect head ({head.Levels} levels, {head.AnchorsPerLevel} anchors, {head.Classes} classes)");
        }
        return targets.Items.Select(t => AutoLayer(t.Level)).ToArray();
    }

    /// <summary>K seeds per Detect level, written on the device from the level outputs (see <see cref="ICamKernels.Seeds"/>).</summary>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, YoloTargets targets)
    {
        if (targets.Region == TargetRegion.Box) return BoxSeeds.Seed(Model.Head, _inputHeight, outputs, targets);
        var head = Model.Head;
        int k = targets.Count, no = head.Classes + 5;
        var table = new float[5 * k];
        var scales = new float[k];
        for (int i = 0; i < k; i++)
        {
            var t = targets.Items[i];
            var shape = outputs[t.Level].Shape;
            if (t.GridY >= shape[2] || t.GridX >= shape[3])
                throw new ArgumentException($"CAM: target {t} is outside level {t.Level}'s {shape[2]}x{shape[3]} grid");
            table[5 * i] = t.Level;
            table[5 * i + 1] = t.Anchor * no + 4;
            table[5 * i + 2] = t.Anchor * no + (targets.Score == CamScore.Objectness ? 4 : 5 + t.ClassId);
            table[5 * i + 3] = t.GridY * shape[3] + t.GridX;
            table[5 * i + 4] = targets.Score == CamScore.Confidence ? 1 : 0;
            scales[i] = t.Scale;
        }
        Device device = outputs[0].Device;
        var kernels = CamKernels.For(device);
        using var tableT = Tensor.FromArray(device, table, 5 * k);
        using var scalesT = Tensor.FromArray(device, scales, k);
        var seeds = new List<(Var, Tensor)>();
        for (int level = 0; level < outputs.Length; level++)
        {
            // A level no target is on would seed zeros: leaving it out skips its Detect conv's backward.
            if (!targets.Items.Any(t => t.Level == level)) continue;
            var o = outputs[level];
            var seed = Tensor.Empty(device, [k, .. o.Shape]);
            kernels.Seeds(o.Value, tableT, scalesT, level, seed);
            seeds.Add((o, seed));
        }
        return seeds;
    }

    /// <summary>Each target's score in each image of a batched forward, re-found at its cell or over its box (<see cref="YoloScores"/>).</summary>
    public double[] Scores(Var[] outputs, YoloTargets targets) => YoloScores.Read(Model.Head, _inputHeight, outputs, targets);
}
