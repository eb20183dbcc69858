namespace NativeCam.Detectors;

/// <summary>
/// torchvision's RoIHeads.postprocess_detections for one image, remembering each detection's proposal: per proposal
/// and foreground class, the class's deltas decoded on the proposal (weights 10, 10, 5, 5), clipped to the resized
/// image, its softmax probability; candidates above score_thresh (strictly), sides ≥ 1e-2, per-class NMS, the best
/// detections_per_img; boxes mapped back to the original image (transform.postprocess).
/// </summary>
public static class RoiPostprocess
{
    /// <summary>The kept detections, best first.</summary>
    public static List<RcnnDetection> Select(float[] proposals, float[] logits, float[] deltas, int classes, RcnnInput input, RcnnOptions options)
    {
        int n = proposals.Length / 4, fg = classes - 1;
        var boxes = new float[n * fg * 4];
        var scores = new float[n * fg];
        var labels = new int[n * fg];
        var probs = new float[classes];
        for (int p = 0; p < n; p++)
        {
            Softmax(logits.AsSpan(p * classes, classes), probs);
            for (int c = 1; c < classes; c++)
            {
                int k = p * fg + c - 1;
                var box = boxes.AsSpan(k * 4, 4);
                BoxCoder.RoiHeads.Decode(proposals.AsSpan(p * 4, 4), deltas.AsSpan((p * classes + c) * 4, 4), box);
                BoxOps.Clip(box, input.ResizedH, input.ResizedW);
                scores[k] = probs[c];
                labels[k] = c;
            }
        }
        var candidates = Enumerable.Range(0, scores.Length)
            .Where(k => scores[k] > options.BoxScoreThresh && BoxOps.LargeEnough(boxes.AsSpan(k * 4, 4), 1e-2f)).ToList();
        var kept = BoxOps.BatchedNms(boxes, scores, labels, candidates, options.BoxNmsThresh);
        return kept.Take(options.DetectionsPerImage)
            .Select(k => new RcnnDetection(input.ToOriginal(boxes.AsSpan(k * 4, 4)), scores[k], labels[k], k / fg)).ToList();
    }

    // F.softmax over one row in float32: exp(x − max) / Σ.
    static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) max = MathF.Max(max, v);
        float sum = 0;
        for (int i = 0; i < x.Length; i++) sum += y[i] = MathF.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++) y[i] /= sum;
    }
}
