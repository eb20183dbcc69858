using NativeCam.Autograd;
using NativeCam.Cam.Metrics;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// Seeds of <see cref="TargetRegion.Box"/> targets: target k's score is s_k = Σ_j IoU(b_j, B_k)·score_j over the
/// predictions j of its Detect level (every anchor and cell) whose decoded box b_j overlaps the detection's box B_k
/// with IoU ≥ <see cref="MinIoU"/>, score_j being the chosen score (logit, objectness or confidence) of the
/// detection's class at j. The seed is ∂s_k/∂output: IoU_j times the one-cell seed at each such j. Written on the
/// host: the IoUs need every prediction's decoded box, which is host work like the decoder's (one copy of each
/// seeded level's output, one upload of the seeds).
/// </summary>
public static class BoxSeeds
{
    /// <summary>Predictions whose box overlaps the detection's less than this are left out of its score
    /// (0.1, chosen by the study in docs/cam-defaults.md: 0.5 and 0.3 gave maps too small to cover the object).</summary>
    public const double MinIoU = 0.1;

    /// <summary>The K seeds per Detect level holding a target. <paramref name="inputHeight"/> gives each level's stride.</summary>
    public static IReadOnlyList<(Var Output, Tensor Grad)> Seed(Detect head, int inputHeight, Var[] outputs, YoloTargets targets)
    {
        int k = targets.Count, no = head.Classes + 5, na = head.AnchorsPerLevel;
        var seeds = new List<(Var, Tensor)>();
        try
        {
            for (int level = 0; level < outputs.Length; level++)
            {
                if (!targets.Items.Any(t => t.Level == level)) continue;
                var o = outputs[level];
                var data = o.Value.ToArray();
                int ny = o.Shape[2], nx = o.Shape[3], plane = ny * nx, length = data.Length;
                float stride = (float)inputHeight / ny;
                var seed = new float[(long)k * length];
                for (int i = 0; i < k; i++)
                {
                    var t = targets.Items[i];
                    if (t.Level != level) continue;
                    var box = t.InputBox ?? throw new ArgumentException($"CAM: box target {t} has no box");
                    for (int a = 0; a < na; a++)
                        for (int p = 0; p < plane; p++)
                        {
                            int c0 = a * no;
                            double iou = MapMetrics.IoU(Decode(data, c0, p, plane, nx, stride, head.AnchorsPx[level][2 * a], head.AnchorsPx[level][2 * a + 1]), box);
                            if (iou < MinIoU) continue;
                            Write(seed.AsSpan((int)((long)i * length), length), data, targets.Score, c0, t.ClassId, p, plane, (float)iou * t.Scale);
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

    // ∂(weight·score_j)/∂output at prediction j (anchor block c0, pixel p), as the one-cell seeds (docs/cam.md).
    internal static void Write(Span<float> seed, float[] o, CamScore score, int c0, int cls, int p, int plane, float weight)
    {
        int obj = (c0 + 4) * plane + p, logit = (c0 + 5 + cls) * plane + p;
        switch (score)
        {
            case CamScore.Logit: seed[logit] += weight; break;
            case CamScore.Objectness: seed[obj] += weight; break;
            default:
                float so = Sigmoid(o[obj]), sg = Sigmoid(o[logit]);
                seed[obj] += weight * so * (1 - so) * sg;
                seed[logit] += weight * so * sg * (1 - sg);
                break;
        }
    }

    // YOLOv5's decoding of prediction (c0, p) to a box in input pixels (as DetectDecoder).
    internal static Box Decode(ReadOnlySpan<float> o, int c0, int p, int plane, int nx, float stride, float anchorW, float anchorH)
    {
        int gy = p / nx, gx = p % nx;
        float cx = (Sigmoid(o[c0 * plane + p]) * 2f - 0.5f + gx) * stride;
        float cy = (Sigmoid(o[(c0 + 1) * plane + p]) * 2f - 0.5f + gy) * stride;
        float sw = Sigmoid(o[(c0 + 2) * plane + p]) * 2f, sh = Sigmoid(o[(c0 + 3) * plane + p]) * 2f;
        float w = sw * sw * anchorW, h = sh * sh * anchorH;
        return new Box(cx - w / 2f, cy - h / 2f, cx + w / 2f, cy + h / 2f);
    }

    internal static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
