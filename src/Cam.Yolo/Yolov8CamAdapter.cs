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
/// outputs feeding Detect (<c>model.15</c>, <c>model.18</c>, <c>model.21</c> in yolov8.yaml). Seeds are written on
/// the host (one copy of each seeded level).
/// </summary>
public sealed class Yolov8CamAdapter(Yolov8Model model) : ICamAdapter<YoloTargets>
{
    /// <summary>The network explained.</summary>
    public Yolov8Model Model { get; } = model;

    int _inputHeight;

    /// <inheritdoc/>
    public Var[] Forward(Var input)
    {
        _inputHeight = input.Shape[2];
        return Model.Forward(input);
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

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, YoloTargets targets)
    {
        int k = targets.Count, regMax = Model.Head.RegMax;
        var seeds = new List<(Var, Tensor)>();
        try
        {
        for (int level = 0; level < outputs.Length; level++)
        {
            if (!targets.Items.Any(t => t.Level == level)) continue;
            var o = outputs[level];
            int c = o.Shape[1], h = o.Shape[2], w = o.Shape[3], hw = h * w;
            var data = o.Value.ToArray();
            var seed = new float[k * c * hw];
            float stride = (float)_inputHeight / h;
            Box[]? boxes = targets.Region == TargetRegion.Box
                ? Enumerable.Range(0, hw).Select(j => AnchorFreeDecoder.DecodeBox(data, regMax, hw, j / w, j % w, w, stride)).ToArray()
                : null;
            for (int i = 0; i < k; i++)
            {
                var t = targets.Items[i];
                if (t.Level != level) continue;
                if (t.GridY >= h || t.GridX >= w) throw new ArgumentException($"CAM: target {t} is outside level {level}'s {h}x{w} grid");
                int channel = 4 * regMax + t.ClassId, offset = (i * c + channel) * hw;
                void Add(int cell, double weight)
                {
                    float z = data[channel * hw + cell];
                    double s = 1 / (1 + Math.Exp(-z));
                    seed[offset + cell] += (float)(t.Scale * weight * (targets.Score == CamScore.Confidence ? s * (1 - s) : 1));
                }
                if (boxes is null) { Add(t.GridY * w + t.GridX, 1); continue; }
                var box = t.InputBox ?? throw new ArgumentException($"CAM: box target {t} has no box");
                for (int j = 0; j < hw; j++)
                {
                    double iou = MapMetrics.IoU(boxes[j], box);
                    if (iou >= BoxSeeds.MinIoU) Add(j, iou);
                }
            }
            seeds.Add((o, Tensor.FromArray(o.Device, seed, [k, .. o.Shape])));
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
