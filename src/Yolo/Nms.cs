using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// The second half of YOLOv5 v6.1's non_max_suppression: keep the best <see cref="NmsOptions.MaxNms"/>
/// candidates, shift each box by class·7680 px (unless agnostic) so only same-class boxes can overlap, then
/// torchvision.ops.nms: visit boxes by descending score (a stable sort, ties keep candidate order), keep a box
/// unless an already kept one overlaps it with IoU &gt; the threshold, stop at max_det. IoU is computed in
/// float32 on the shifted boxes exactly as torchvision's CPU kernel does (areas, clamped intersection,
/// inter / (area_i + area_j − inter)), so borderline pairs are decided the same way.
/// </summary>
public static class Nms
{
    /// <summary>The kept candidates, highest score first.</summary>
    public static List<Candidate> Select(IReadOnlyList<Candidate> candidates, NmsOptions options)
    {
        options.Validate();
        // Visiting order: descending score, equal scores in candidate order (torchvision's stable sort);
        // above MaxNms only the first MaxNms of that order enter (YOLOv5's argsort cut).
        int[] order = Enumerable.Range(0, candidates.Count).OrderByDescending(i => candidates[i].Score).ToArray();
        if (order.Length > NmsOptions.MaxNms) order = order[..NmsOptions.MaxNms];
        int n = order.Length;
        var x1 = new float[n]; var y1 = new float[n]; var x2 = new float[n]; var y2 = new float[n]; var area = new float[n];
        for (int k = 0; k < n; k++)
        {
            var c = candidates[order[k]];
            float offset = options.Agnostic ? 0f : c.ClassId * NmsOptions.ClassOffset;
            x1[k] = c.Box.X1 + offset; y1[k] = c.Box.Y1 + offset;
            x2[k] = c.Box.X2 + offset; y2[k] = c.Box.Y2 + offset;
            area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
        }
        var suppressed = new bool[n];
        var kept = new List<Candidate>();
        for (int i = 0; i < n && kept.Count < options.MaxDetections; i++)
        {
            if (suppressed[i]) continue;
            kept.Add(candidates[order[i]]);
            for (int j = i + 1; j < n; j++)
            {
                if (suppressed[j]) continue;
                float w = MathF.Max(0f, MathF.Min(x2[i], x2[j]) - MathF.Max(x1[i], x1[j]));
                float h = MathF.Max(0f, MathF.Min(y2[i], y2[j]) - MathF.Max(y1[i], y1[j]));
                float inter = w * h;
                float iou = inter / (area[i] + area[j] - inter);
                if (iou > options.IouThreshold) suppressed[j] = true;
            }
        }
        return kept;
    }
}
