namespace NativeCam.Detectors;

/// <summary>
/// torchvision.ops.boxes on flat float32 arrays of (x1, y1, x2, y2): clip, remove_small_boxes, nms and batched_nms
/// with torchvision's semantics (nms: visit by descending score, suppress IoU &gt; threshold; batched_nms: above 4000
/// coordinates one nms per group, else the coordinate trick of shifting each group by idx · (max coordinate + 1)).
/// </summary>
public static class BoxOps
{
    /// <summary>Clamps x to [0, width] and y to [0, height] in place (clip_boxes_to_image).</summary>
    public static void Clip(Span<float> box, int height, int width)
    {
        box[0] = Math.Clamp(box[0], 0, width);
        box[1] = Math.Clamp(box[1], 0, height);
        box[2] = Math.Clamp(box[2], 0, width);
        box[3] = Math.Clamp(box[3], 0, height);
    }

    /// <summary>remove_small_boxes: both sides at least <paramref name="minSize"/>.</summary>
    public static bool LargeEnough(ReadOnlySpan<float> box, float minSize) => box[2] - box[0] >= minSize && box[3] - box[1] >= minSize;

    /// <summary>torchvision.ops.nms over the boxes <paramref name="items"/> (indices into boxes/scores): kept indices, best first.</summary>
    public static List<int> Nms(float[] boxes, float[] scores, IReadOnlyList<int> items, float iou, float[]? offsets = null)
    {
        // A stable descending sort: equal scores keep their input order.
        var order = items.OrderByDescending(i => scores[i]).ToArray();
        int n = order.Length;
        var x1 = new float[n]; var y1 = new float[n]; var x2 = new float[n]; var y2 = new float[n]; var area = new float[n];
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            float off = offsets?[i] ?? 0f;
            x1[k] = boxes[i * 4] + off; y1[k] = boxes[i * 4 + 1] + off;
            x2[k] = boxes[i * 4 + 2] + off; y2[k] = boxes[i * 4 + 3] + off;
            area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
        }
        var suppressed = new bool[n];
        var kept = new List<int>();
        for (int a = 0; a < n; a++)
        {
            if (suppressed[a]) continue;
            kept.Add(order[a]);
            for (int b = a + 1; b < n; b++)
            {
                if (suppressed[b]) continue;
                float w = MathF.Max(0f, MathF.Min(x2[a], x2[b]) - MathF.Max(x1[a], x1[b]));
                float h = MathF.Max(0f, MathF.Min(y2[a], y2[b]) - MathF.Max(y1[a], y1[b]));
                float inter = w * h;
                if (inter / (area[a] + area[b] - inter) > iou) suppressed[b] = true;
            }
        }
        return kept;
    }

    /// <summary>torchvision.ops.batched_nms: boxes of different groups never suppress each other; kept indices, best first.</summary>
    public static List<int> BatchedNms(float[] boxes, float[] scores, int[] groups, IReadOnlyList<int> items, float iou)
    {
        if (items.Count == 0) return [];
        if (items.Count * 4 > 4000)
        {
            var kept = new List<int>();
            foreach (var group in items.GroupBy(i => groups[i]).OrderBy(g => g.Key))
                kept.AddRange(Nms(boxes, scores, group.ToList(), iou));
            return kept.OrderByDescending(i => scores[i]).ToList();
        }
        float max = float.NegativeInfinity;
        foreach (int i in items)
            for (int j = 0; j < 4; j++) max = MathF.Max(max, boxes[i * 4 + j]);
        var offsets = new float[scores.Length];
        foreach (int i in items) offsets[i] = groups[i] * (max + 1);
        return Nms(boxes, scores, items, iou, offsets);
    }
}
