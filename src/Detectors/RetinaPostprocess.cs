namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RetinaNet.postprocess_detections for one image, remembering each detection's level and anchor: per
/// level, the sigmoid of every (anchor, class) logit in flattened order, candidates above score_thresh (strictly),
/// the best topk_candidates (equal scores in index order), their anchor's deltas decoded with weights (1, 1, 1, 1)
/// and clipped to the resized image; then NMS per class over all levels (batched_nms), the best detections_per_img,
/// boxes mapped back to the original image (transform.postprocess). No small-box removal, as torchvision.
/// </summary>
public static class RetinaPostprocess
{
    /// <summary>One level's inputs: class logits as the conv wrote them [A·K, H·W], deltas [H·W·A, 4], anchors [H·W·A, 4].</summary>
    public sealed record Level(float[] Logits, float[] Deltas, float[] Anchors);

    /// <summary>The kept detections, best first.</summary>
    public static List<RetinaDetection> Select(IReadOnlyList<Level> levels, int anchorsPerLocation, int classes, RcnnInput input, RetinaOptions options)
    {
        var boxes = new List<float>();
        var scores = new List<float>();
        var labels = new List<int>();
        var source = new List<(int Level, int Anchor)>();
        Span<float> box = stackalloc float[4];
        for (int l = 0; l < levels.Count; l++)
        {
            var (logits, deltas, anchors) = levels[l];
            int a = anchorsPerLocation, hw = logits.Length / (a * classes);
            var candidates = new List<(long Flat, float Score)>();
            for (int ch = 0; ch < a * classes; ch++)
            {
                int anchor = ch / classes, k = ch % classes;
                for (int p = 0; p < hw; p++)
                {
                    float s = 1f / (1f + MathF.Exp(-logits[ch * hw + p]));
                    if (s > options.ScoreThresh) candidates.Add(((long)(p * a + anchor) * classes + k, s));
                }
            }
            // topk: descending score, equal scores in flattened index order.
            foreach (var (flat, s) in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Flat).Take(options.TopkCandidates))
            {
                int i = (int)(flat / classes), k = (int)(flat % classes);
                BoxCoder.Rpn.Decode(anchors.AsSpan(i * 4, 4), deltas.AsSpan(i * 4, 4), box);
                BoxOps.Clip(box, input.ResizedH, input.ResizedW);
                boxes.AddRange(box.ToArray());
                scores.Add(s);
                labels.Add(k);
                source.Add((l, i));
            }
        }
        var all = boxes.ToArray();
        var score = scores.ToArray();
        var label = labels.ToArray();
        var kept = BoxOps.BatchedNms(all, score, label, Enumerable.Range(0, score.Length).ToList(), options.NmsThresh);
        return kept.Take(options.DetectionsPerImage)
            .Select(j => new RetinaDetection(input.ToOriginal(all.AsSpan(j * 4, 4)), score[j], label[j], source[j].Level, source[j].Anchor)).ToList();
    }
}
