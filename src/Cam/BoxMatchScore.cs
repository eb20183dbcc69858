using NativeCam.Imaging;

namespace NativeCam.Cam;

/// <summary>
/// pytorch-grad-cam's detection target <c>FasterRCNNBoxScoreTarget</c> (utils/model_targets.py) on a detector's
/// post-NMS output (boxes, labels, scores): for every reference box and label, the prediction with the largest IoU
/// (the first on ties) is its match; when that IoU is above the threshold (strictly) and the labels agree, IoU + the
/// match's score is added; the target's score is the sum. <see cref="Gradient"/> is its derivative with respect to the
/// predictions' boxes and scores, as PyTorch's autograd takes it through torchvision's <c>box_iou</c> (ties of
/// max/min split the gradient in half, <c>clamp(min=0)</c> passes it at 0), so a detector family can seed it
/// through its box decoder (docs/cam.md, "Target modes").
/// </summary>
public static class BoxMatchScore
{
    /// <summary>pytorch-grad-cam's default IoU threshold.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>For each reference box, the index of its match (−1: none above the threshold, or another label).</summary>
    public static int[] Matches(IReadOnlyList<Box> refs, IReadOnlyList<int> refLabels, IReadOnlyList<Box> boxes, IReadOnlyList<int> labels,
        double threshold = DefaultThreshold)
    {
        var matches = new int[refs.Count];
        for (int r = 0; r < refs.Count; r++)
        {
            matches[r] = -1;
            if (boxes.Count == 0) continue;
            int best = 0;
            for (int j = 1; j < boxes.Count; j++) if (IoU(refs[r], boxes[j]) > IoU(refs[r], boxes[best])) best = j;
            if (IoU(refs[r], boxes[best]) > threshold && labels[best] == refLabels[r]) matches[r] = best;
        }
        return matches;
    }

    /// <summary>The target's score: Σ over matched reference boxes of IoU + the match's score.</summary>
    public static double Value(IReadOnlyList<Box> refs, IReadOnlyList<int> refLabels, IReadOnlyList<Box> boxes, IReadOnlyList<int> labels,
        IReadOnlyList<double> scores, double threshold = DefaultThreshold)
    {
        var m = Matches(refs, refLabels, boxes, labels, threshold);
        double s = 0;
        for (int r = 0; r < refs.Count; r++) if (m[r] >= 0) s += IoU(refs[r], boxes[m[r]]) + scores[m[r]];
        return s;
    }

    /// <summary>∂score/∂box_j (x1, y1, x2, y2 per prediction, [N·4]) and ∂score/∂score_j ([N]).</summary>
    public static (double[] Boxes, double[] Scores) Gradient(IReadOnlyList<Box> refs, IReadOnlyList<int> refLabels, IReadOnlyList<Box> boxes,
        IReadOnlyList<int> labels, double threshold = DefaultThreshold)
    {
        var gb = new double[boxes.Count * 4];
        var gs = new double[boxes.Count];
        var m = Matches(refs, refLabels, boxes, labels, threshold);
        for (int r = 0; r < refs.Count; r++)
        {
            if (m[r] < 0) continue;
            gs[m[r]] += 1;
            var g = IoUGradient(refs[r], boxes[m[r]]);
            for (int i = 0; i < 4; i++) gb[m[r] * 4 + i] += g[i];
        }
        return (gb, gs);
    }

    /// <summary>torchvision's box_iou of two boxes, in double.</summary>
    public static double IoU(Box a, Box b)
    {
        double w = Math.Max(Math.Min((double)a.X2, b.X2) - Math.Max((double)a.X1, b.X1), 0);
        double h = Math.Max(Math.Min((double)a.Y2, b.Y2) - Math.Max((double)a.Y1, b.Y1), 0);
        double inter = w * h, union = Area(a) + Area(b) - inter;
        return inter / union;
    }

    /// <summary>∂IoU(r, p)/∂(p.X1, p.Y1, p.X2, p.Y2), PyTorch's rules at ties and at the clamp.</summary>
    public static double[] IoUGradient(Box r, Box p)
    {
        double wx = Math.Min((double)r.X2, p.X2) - Math.Max((double)r.X1, p.X1), wy = Math.Min((double)r.Y2, p.Y2) - Math.Max((double)r.Y1, p.Y1);
        double cw = Math.Max(wx, 0), ch = Math.Max(wy, 0), gw = wx >= 0 ? 1 : 0, gh = wy >= 0 ? 1 : 0;
        double inter = cw * ch, union = Area(r) + Area(p) - inter;
        double dI = (Area(r) + Area(p)) / (union * union), dA = -inter / (union * union);
        // ∂ of max(r, p) and min(r, p) with respect to p: 1 where p decides, ½ on a tie.
        static double Wins(double pv, double rv, bool greater) => pv == rv ? 0.5 : (greater ? pv > rv : pv < rv) ? 1 : 0;
        double pw = (double)p.X2 - p.X1, ph = (double)p.Y2 - p.Y1;
        return
        [
            dI * ch * gw * -Wins(p.X1, r.X1, true) + dA * -ph,
            dI * cw * gh * -Wins(p.Y1, r.Y1, true) + dA * -pw,
            dI * ch * gw * Wins(p.X2, r.X2, false) + dA * ph,
            dI * cw * gh * Wins(p.Y2, r.Y2, false) + dA * pw,
        ];
    }

    static double Area(Box b) => ((double)b.X2 - b.X1) * ((double)b.Y2 - b.Y1);
}
