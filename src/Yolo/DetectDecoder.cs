using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// YOLOv5 v6.1's Detect decoding plus the first, per-box half of non_max_suppression, on the host, in float32
/// as PyTorch computes it: every output goes through σ; xy = (2σ − 0.5 + grid)·stride, wh = (2σ)²·anchor;
/// a prediction is a candidate when σ(obj) &gt; conf; its score per class is σ(obj)·σ(cls), it keeps the best
/// class (the first on ties, as torch.max) when that score &gt; conf, and the --classes filter then applies
/// to that best class.
/// </summary>
public static class DetectDecoder
{
    public static List<Candidate> Decode(DetectHead head, IReadOnlyList<DetectOutput> outputs, NmsOptions options)
    {
        Validate(head, outputs);
        options.Validate();
        float conf = (float)options.ConfThreshold; // PyTorch compares float32 scores to the threshold cast to float32
        var classes = options.Classes is { } list ? new HashSet<int>(list) : null;
        var found = new List<Candidate>();
        int row = 0, na = head.AnchorsPerLevel, nc = head.NumClasses;
        for (int level = 0; level < outputs.Count; level++)
        {
            var o = outputs[level];
            float stride = head.Strides[level];
            for (int a = 0; a < na; a++)
                for (int gy = 0; gy < o.GridHeight; gy++)
                    for (int gx = 0; gx < o.GridWidth; gx++, row++)
                    {
                        int channel0 = a * head.Outputs;
                        float objLogit = o.At(channel0 + 4, gy, gx);
                        float obj = Sigmoid(objLogit);
                        if (!(obj > conf)) continue;
                        int best = 0;
                        float bestScore = float.NegativeInfinity;
                        for (int c = 0; c < nc; c++)
                        {
                            float score = Sigmoid(o.At(channel0 + 5 + c, gy, gx)) * obj;
                            if (score > bestScore) { bestScore = score; best = c; }
                        }
                        if (!(bestScore > conf) || (classes != null && !classes.Contains(best))) continue;
                        var box = DecodeBox(o, channel0, gy, gx, stride, head.Anchors[level][2 * a], head.Anchors[level][2 * a + 1]);
                        found.Add(new Candidate(box, bestScore, best, row, level, a, gy, gx,
                            head.ClassChannel(a, best), o.At(channel0 + 5 + best, gy, gx), objLogit));
                    }
        }
        return found;
    }

    // Centre and size as Detect computes them, then xywh2xyxy.
    static Box DecodeBox(DetectOutput o, int channel0, int gy, int gx, float stride, float anchorW, float anchorH)
    {
        float cx = (Sigmoid(o.At(channel0, gy, gx)) * 2f - 0.5f + gx) * stride;
        float cy = (Sigmoid(o.At(channel0 + 1, gy, gx)) * 2f - 0.5f + gy) * stride;
        float sw = Sigmoid(o.At(channel0 + 2, gy, gx)) * 2f, sh = Sigmoid(o.At(channel0 + 3, gy, gx)) * 2f;
        float w = sw * sw * anchorW, h = sh * sh * anchorH;
        return new Box(cx - w / 2f, cy - h / 2f, cx + w / 2f, cy + h / 2f);
    }

    static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    static void Validate(DetectHead head, IReadOnlyList<DetectOutput> outputs)
    {
        if (outputs.Count != head.Levels)
            throw new ArgumentException($"Detect decode: {outputs.Count} outputs for a head with {head.Levels} levels");
        if (head.Anchors.Count != head.Levels || head.Anchors.Any(a => a.Length != 2 * head.AnchorsPerLevel || a.Length == 0))
            throw new ArgumentException("Detect decode: every level needs the same number of (w, h) anchor pairs");
        int channels = head.AnchorsPerLevel * head.Outputs;
        for (int i = 0; i < outputs.Count; i++)
        {
            var s = outputs[i].Shape;
            if (s.Length != 4 || s[0] != 1 || s[1] != channels || s[2] <= 0 || s[3] <= 0)
                throw new ArgumentException($"Detect decode: output {i} has shape [{string.Join(", ", s)}], expected [1, {channels}, ny, nx]");
            if (outputs[i].Data.Length != s[1] * s[2] * s[3])
                throw new ArgumentException($"Detect decode: output {i} holds {outputs[i].Data.Length} values, not [{string.Join(", ", s)}]");
        }
    }
}
