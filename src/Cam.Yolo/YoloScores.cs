using NativeCam.Autograd;
using NativeCam.Cam.Metrics;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// YOLOv5 targets' scores in each image of a batched forward (Score-CAM's masked inputs, Ablation-CAM's ablations):
/// the score the target's seed differentiates, evaluated on that image's Detect outputs. A one-cell target is re-found
/// at its own level, anchor and grid cell; a box target at its level as s = Σ_j IoU(b_j, B)·score_j over the predictions
/// j whose box, decoded from that image's outputs, overlaps the detection's box B with IoU ≥ <see cref="BoxSeeds.MinIoU"/>
/// (the box target's definition, docs/cam.md). Scores are the raw logit, objectness or σ(obj)·σ(cls), times the target's scale.
/// </summary>
static class YoloScores
{
    public static double[] Read(Detect head, int inputHeight, Var[] outputs, YoloTargets targets)
    {
        int k = targets.Count, no = head.Classes + 5, na = head.AnchorsPerLevel, batch = outputs[0].Shape[0];
        var scores = new double[batch * k];
        var levels = new float[outputs.Length][];
        for (int l = 0; l < outputs.Length; l++)
            if (targets.Items.Any(t => t.Level == l)) levels[l] = outputs[l].Value.ToArray();
        for (int t = 0; t < k; t++)
        {
            var target = targets.Items[t];
            var o = outputs[target.Level];
            int ny = o.Shape[2], nx = o.Shape[3], plane = ny * nx, length = o.Value.Length / batch;
            for (int b = 0; b < batch; b++)
            {
                var data = levels[target.Level].AsSpan(b * length, length);
                double s = 0;
                if (targets.Region == TargetRegion.Cell)
                    s = Score(data, targets.Score, target.Anchor * no, target.ClassId, target.GridY * nx + target.GridX, plane);
                else
                {
                    var box = target.InputBox ?? throw new ArgumentException($"CAM: box target {target} has no box");
                    float stride = (float)inputHeight / ny;
                    for (int a = 0; a < na; a++)
                        for (int p = 0; p < plane; p++)
                        {
                            double iou = MapMetrics.IoU(BoxSeeds.Decode(data, a * no, p, plane, nx, stride,
                                head.AnchorsPx[target.Level][2 * a], head.AnchorsPx[target.Level][2 * a + 1]), box);
                            if (iou >= BoxSeeds.MinIoU) s += iou * Score(data, targets.Score, a * no, target.ClassId, p, plane);
                        }
                }
                scores[b * k + t] = s * target.Scale;
            }
        }
        return scores;
    }

    // The chosen score of class `cls` at prediction (anchor block c0, pixel p) of one image's level output.
    static double Score(ReadOnlySpan<float> o, CamScore score, int c0, int cls, int p, int plane)
    {
        float obj = o[(c0 + 4) * plane + p], logit = o[(c0 + 5 + cls) * plane + p];
        return score switch
        {
            CamScore.Logit => logit,
            CamScore.Objectness => obj,
            _ => (double)BoxSeeds.Sigmoid(obj) * BoxSeeds.Sigmoid(logit),
        };
    }
}
