using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Detectors;

/// <summary>
/// torchvision's MultiScaleRoIAlign(['0', '1', '2', '3'], 7, sampling_ratio=2) for one image: each proposal goes to the
/// FPN level floor(4 + log2(√area / 224) + 1e-6) clamped to the levels present (LevelMapper, float32), and is pooled
/// there by RoIAlign (aligned=False) at spatial scale 2^round(log2(feature size / resized image size)). The result
/// is grouped by level (see <see cref="Apply"/>); the gradient of each pooled proposal flows into its own level only.
/// </summary>
public static class MultiScaleRoiAlign
{
    /// <summary>Output size of the pooled grid.</summary>
    public const int OutputSize = 7;

    /// <summary>Samples per bin side.</summary>
    public const int SamplingRatio = 2;

    /// <summary>The level index (0 = P2) of each proposal, and the scale of each level.</summary>
    public static (int[] Levels, float[] Scales) Map(float[] proposals, IReadOnlyList<Var> levels, RcnnInput input)
    {
        var scales = levels.Select(f => InferScale(f.Shape[2], input.ResizedH)).ToArray();
        int kMin = (int)-MathF.Log2(scales[0]), kMax = (int)-MathF.Log2(scales[^1]);
        int n = proposals.Length / 4;
        var assigned = new int[n];
        for (int i = 0; i < n; i++)
        {
            float area = (proposals[i * 4 + 2] - proposals[i * 4]) * (proposals[i * 4 + 3] - proposals[i * 4 + 1]);
            float s = MathF.Sqrt(area);
            float level = MathF.Floor(4f + MathF.Log2(s / 224f) + 1e-6f);
            level = Math.Clamp(level, kMin, kMax);
            assigned[i] = (int)level - kMin;
        }
        return (assigned, scales);
    }

    // _infer_scale: the power of two nearest feature/original (torch.round: half to even).
    static float InferScale(int featureSize, int imageSize)
    {
        float approx = (float)featureSize / imageSize;
        return MathF.Pow(2, MathF.Round(MathF.Log2(approx), MidpointRounding.ToEven));
    }

    /// <summary>
    /// The pooled proposals [P, C, 7, 7], each from its mapped level of <paramref name="levels"/> (P2–P5), grouped by
    /// level: row k holds proposal <c>Order[k]</c> (the box head treats rows independently, so the caller reorders
    /// its outputs instead of the pooled tensor).
    /// </summary>
    public static (Var Pooled, int[] Order) Apply(IReadOnlyList<Var> levels, float[] proposals, RcnnInput input)
    {
        var (assigned, scales) = Map(proposals, levels, input);
        int n = assigned.Length, c = levels[0].Shape[1];
        var device = levels[0].Device;
        var parts = new List<Var>();
        var order = new List<int>();
        for (int l = 0; l < levels.Count; l++)
        {
            var mine = Enumerable.Range(0, n).Where(i => assigned[i] == l).ToArray();
            if (mine.Length == 0) continue;
            var rois = new float[mine.Length * 5];
            for (int k = 0; k < mine.Length; k++)
                for (int j = 0; j < 4; j++) rois[k * 5 + 1 + j] = proposals[mine[k] * 4 + j];
            var roiVar = Tape.Current.Untracked(Tensor.FromArray(device, rois, mine.Length, 5));
            var pooled = Ops.RoiAlign(levels[l], roiVar, OutputSize, OutputSize, scales[l], SamplingRatio, aligned: false);
            parts.Add(Ops.Reshape(pooled, 1, mine.Length, c * OutputSize * OutputSize));
            order.AddRange(mine);
        }
        var joined = parts.Count == 1 ? parts[0] : Ops.Concat([.. parts]);
        return (Ops.Reshape(joined, n, c, OutputSize, OutputSize), order.ToArray());
    }
}
