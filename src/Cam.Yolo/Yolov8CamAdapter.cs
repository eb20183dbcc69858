using NativeCam.Autograd;
using NativeCam.Cam.Metrics;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// Ultralytics YOLOv8 for the CAM core. A target's score is its raw class logit (or its confidence σ(logit):
/// there is no objectness) at its anchor point, or, for box targets, Σ IoU·score over the predictions of its
/// level whose decoded boxes overlap its box with IoU ≥ <see cref="BoxSeeds.MinIoU"/>. Default layers: the neck
/// outputs feeding Detect (<c>model.15</c>, <c>model.18</c>, <c>model.21</c> in yolov8.yaml). Seeds are set on the
/// class logits, past the concatenation with the box bins (see <see cref="Seed"/>).
/// </summary>
public sealed class Yolov8CamAdapter(Yolov8Model model) : ICamAdapter<YoloTargets>
{
    /// <summary>The network explained.</summary>
    public Yolov8Model Model { get; } = model;

    int _inputHeight;
    Var[] _classLogits = [];

    /// <inheritdoc/>
    public Var[] Forward(Var input)
    {
        _inputHeight = input.Shape[2];
        return Model.Forward(input, out _classLogits);
    }

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => YoloModel.NormalizeLayerName(name);

    /// <inheritdoc/>
    public string LayerHint => "layers look like model.15 or model.21.cv2.act";

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => Model.Layers[^1].From.Select(f => $"model.{f}").ToArray();

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, YoloTargets targets)
    {
        if (targets.Score == CamScore.Objectness)
            throw new ArgumentException("CAM: YOLOv8 has no objectness: use the class logit or the confidence as the score");
        var from = Model.Layers[^1].From;
        foreach (var t in targets.Items)
            if (t.Level < 0 || t.Level >= from.Length || t.Anchor != 0 || t.ClassId < 0 || t.ClassId >= Model.Head.Classes || t.GridY < 0 || t.GridX < 0)
                throw new ArgumentException($"CAM: target {t} is outside the Detect head ({from.Length} levels, one anchor point per cell, {Model.Head.Classes} classes)");
        return targets.Items.Select(t => $"model.{from[t.Level]}").ToArray();
    }

    /// <summary>
    /// K seeds per Detect level holding a target, set on the level's class logits (<see cref="DetectV8"/>'s class branch,
    /// [1, nc, h, w]) rather than on the concatenated output: every score is made of class logits only (a box target's
    /// IoU weights are constants), so the box branch would get a zero gradient, and seeding past the concatenation
    /// skips its backward and K-target copies of its 4·reg_max channels. Target k's seed is nonzero in one plane only
    /// (its class), so the seed is zeroed on the device and only that plane is written from the host; box targets
    /// read the level's box bins (to decode every prediction's box) and, for the confidence score, that class's logits.
    /// </summary>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, YoloTargets targets)
    {
        int k = targets.Count, regMax = Model.Head.RegMax, nc = Model.Head.Classes;
        var seeds = new List<(Var, Tensor)>();
        try
        {
            for (int level = 0; level < outputs.Length; level++)
            {
                if (!targets.Items.Any(t => t.Level == level)) continue;
                var logits = _classLogits[level];
                int h = logits.Shape[2], w = logits.Shape[3], hw = h * w;
                float stride = (float)_inputHeight / h;
                var seed = Tensor.Zeros(logits.Device, [k, .. logits.Shape]);
                seeds.Add((logits, seed));
                Box[]? boxes = null;
                if (targets.Region == TargetRegion.Box)
                {
                    using var bins = outputs[level].Value.Slice(0, 4 * regMax * hw);
                    var data = bins.ToArray();
                    boxes = new Box[hw];
                    for (int j = 0; j < hw; j++) boxes[j] = AnchorFreeDecoder.DecodeBox(data, regMax, hw, j / w, j % w, w, stride);
                }
                var plane = new float[hw];
                for (int i = 0; i < k; i++)
                {
                    var t = targets.Items[i];
                    if (t.Level != level) continue;
                    if (t.GridY >= h || t.GridX >= w) throw new ArgumentException($"CAM: target {t} is outside level {level}'s {h}x{w} grid");
                    float[]? z = null;
                    if (targets.Score == CamScore.Confidence)
                    {
                        using var classPlane = logits.Value.Slice(t.ClassId * hw, hw);
                        z = classPlane.ToArray();
                    }
                    Array.Clear(plane);
                    void Add(int cell, double weight)
                    {
                        double s = z is null ? 0 : 1 / (1 + Math.Exp(-z[cell]));
                        plane[cell] += (float)(t.Scale * weight * (z is null ? 1 : s * (1 - s)));
                    }
                    if (boxes is null) Add(t.GridY * w + t.GridX, 1);
                    else
                    {
                        var box = t.InputBox ?? throw new ArgumentException($"CAM: box target {t} has no box");
                        for (int j = 0; j < hw; j++)
                        {
                            double iou = MapMetrics.IoU(boxes[j], box);
                            if (iou >= BoxSeeds.MinIoU) Add(j, iou);
                        }
                    }
                    using var target = seed.Slice((i * nc + t.ClassId) * hw, hw);
                    target.CopyFrom(plane);
                }
            }
            return seeds;
        }
        catch
        {
            foreach (var (_, s) in seeds) s.Dispose();
            throw;
        }
    }
}
