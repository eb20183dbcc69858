namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RegionProposalNetwork.filter_proposals at test time for one image: every anchor decoded (weights 1),
/// the best pre_nms_top_n objectness logits of each level (topk), sigmoid, boxes clipped to the resized image, boxes
/// under 1e-3 px dropped, score ≥ 0, NMS at 0.7 within each level (batched_nms), the first post_nms_top_n kept.
/// </summary>
public static class RpnProposals
{
    /// <summary>The proposals [P, 4] (best first) in the resized image's pixels.</summary>
    public static float[] Select(IReadOnlyList<(float[] Objectness, float[] Deltas, float[] Anchors)> levels, RcnnInput input, RcnnOptions options)
    {
        var boxes = new List<float>();
        var scores = new List<float>();
        var groups = new List<int>();
        Span<float> box = stackalloc float[4];
        for (int l = 0; l < levels.Count; l++)
        {
            var (objectness, deltas, anchors) = levels[l];
            int n = objectness.Length, top = Math.Min(options.RpnPreNmsTopN, n);
            // topk: descending, equal logits in index order.
            var best = Enumerable.Range(0, n).OrderByDescending(i => objectness[i]).Take(top);
            foreach (int i in best)
            {
                BoxCoder.Rpn.Decode(anchors.AsSpan(i * 4, 4), deltas.AsSpan(i * 4, 4), box);
                BoxOps.Clip(box, input.ResizedH, input.ResizedW);
                boxes.AddRange(box.ToArray());
                scores.Add(1f / (1f + MathF.Exp(-objectness[i])));
                groups.Add(l);
            }
        }
        var all = boxes.ToArray();
        var score = scores.ToArray();
        var candidates = Enumerable.Range(0, score.Length).Where(i => BoxOps.LargeEnough(all.AsSpan(i * 4, 4), 1e-3f) && score[i] >= 0f).ToList();
        var kept = BoxOps.BatchedNms(all, score, groups.ToArray(), candidates, options.RpnNmsThresh);
        if (kept.Count > options.RpnPostNmsTopN) kept.RemoveRange(options.RpnPostNmsTopN, kept.Count - options.RpnPostNmsTopN);
        var proposals = new float[kept.Count * 4];
        for (int k = 0; k < kept.Count; k++) all.AsSpan(kept[k] * 4, 4).CopyTo(proposals.AsSpan(k * 4, 4));
        return proposals;
    }
}
