using NativeCam.Imaging;

namespace NativeCam.Yolo;

/// <summary>
/// Ultralytics' anchor-free decode and predict post-processing on host copies of the Detect level outputs
/// ([4·reg_max + nc, H, W] each, batch item 0): anchor points at cell centres (x + 0.5, y + 0.5), DFL (softmax
/// over each side's reg_max bins, expectation of the bin index) gives left/top/right/bottom distances,
/// dist2bbox makes the box, times the level's stride (input height / H). Candidates: best class sigmoid above
/// conf; then per-class NMS (class·7680 shift, IoU &gt; iou suppresses, max_det), and scale_boxes with
/// Ultralytics' rounded padding, clipped to the image.
/// </summary>
public static class AnchorFreeDecoder
{
    /// <summary>Decoded detections, highest confidence first. <see cref="Detection.Row"/> is the anchor index over all levels.</summary>
    public static List<Detection> Run(IReadOnlyList<(float[] Data, int[] Shape)> levels, int nc, int regMax, LetterboxInfo info, NmsOptions options)
    {
        options.Validate();
        var candidates = new List<Candidate>();
        int row = 0;
        for (int l = 0; l < levels.Count; l++)
        {
            var (data, shape) = levels[l];
            int c = shape[^3], h = shape[^2], w = shape[^1], hw = h * w;
            if (c != 4 * regMax + nc) throw new InvalidDataException($"Detect level {l} has {c} channels, expected {4 * regMax + nc}");
            float stride = (float)info.InputHeight / h;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++, row++)
                {
                    int cell = y * w + x, best = 0;
                    float bestLogit = float.NegativeInfinity;
                    for (int k = 0; k < nc; k++)
                    {
                        float v = data[(4 * regMax + k) * hw + cell];
                        if (v > bestLogit) (bestLogit, best) = (v, k);
                    }
                    float conf = Sigmoid(bestLogit);
                    if (!(conf > options.ConfThreshold)) continue;
                    if (options.Classes is { } keep && !keep.Contains(best)) continue;
                    var box = DecodeBox(data, regMax, hw, y, x, w, stride);
                    candidates.Add(new Candidate(box, conf, best, row, l, 0, y, x, 4 * regMax + best, bestLogit, float.NaN));
                }
        }
        var kept = Nms.Select(candidates, options);
        return kept.Select(k => new Detection(k.ClassId, k.Score, k.Box, ScaleBox(k.Box, info), k.Level, 0, k.GridY, k.GridX,
            k.Row, k.ClassChannel, k.ClassLogit, float.NaN)).ToList();
    }

    /// <summary>
    /// The box of cell (y, x) of one level ([4·reg_max + nc, h, w] data) in input pixels: DFL distances from the
    /// anchor point (x + 0.5, y + 0.5), dist2bbox as xywh, times the stride, then xywh → xyxy as Ultralytics does.
    /// </summary>
    public static Box DecodeBox(float[] data, int regMax, int hw, int y, int x, int w, float stride)
    {
        int cell = y * w + x;
        float l = Dfl(data, 0, regMax, hw, cell), t = Dfl(data, regMax, regMax, hw, cell);
        float r = Dfl(data, 2 * regMax, regMax, hw, cell), b = Dfl(data, 3 * regMax, regMax, hw, cell);
        float ax = x + 0.5f, ay = y + 0.5f;
        float x1 = ax - l, y1 = ay - t, x2 = ax + r, y2 = ay + b;
        float cx = (x1 + x2) / 2 * stride, cy = (y1 + y2) / 2 * stride, bw = (x2 - x1) * stride, bh = (y2 - y1) * stride;
        return new Box(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2);
    }

    static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    /// <summary>Expectation of the bin index under the softmax of one side's reg_max logits.</summary>
    static float Dfl(float[] data, int first, int regMax, int hw, int cell)
    {
        float max = float.NegativeInfinity;
        for (int b = 0; b < regMax; b++) max = MathF.Max(max, data[(first + b) * hw + cell]);
        float sum = 0, weighted = 0;
        for (int b = 0; b < regMax; b++)
        {
            float e = MathF.Exp(data[(first + b) * hw + cell] - max);
            sum += e;
            weighted += e * b;
        }
        return weighted / sum;
    }

    /// <summary>Ultralytics' scale_boxes: padding rounded as round(pad − 0.1), divided by the gain, clipped.</summary>
    public static Box ScaleBox(Box b, LetterboxInfo info)
    {
        double gain = Math.Min((double)info.InputHeight / info.ImageHeight, (double)info.InputWidth / info.ImageWidth);
        double padX = Math.Round((info.InputWidth - info.ImageWidth * gain) / 2 - 0.1, MidpointRounding.ToEven);
        double padY = Math.Round((info.InputHeight - info.ImageHeight * gain) / 2 - 0.1, MidpointRounding.ToEven);
        float Clip(double v, int max) => (float)Math.Clamp(v, 0, max);
        return new Box(Clip((b.X1 - padX) / gain, info.ImageWidth), Clip((b.Y1 - padY) / gain, info.ImageHeight),
            Clip((b.X2 - padX) / gain, info.ImageWidth), Clip((b.Y2 - padY) / gain, info.ImageHeight));
    }
}
