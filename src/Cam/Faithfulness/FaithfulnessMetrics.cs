namespace NativeCam.Cam.Faithfulness;

/// <summary>
/// Faithfulness of maps by perturbing the input and re-reading the target's confidence (docs/cam.md,
/// "Faithfulness"): ROAD most/least relevant first with noisy linear imputation, the input multiplied by the map
/// (confidence change, drop, increase), deletion and insertion curves. Family-free: the family supplies
/// the confidence delegate, which runs a batch of inputs and reads each one's target (a classifier: the class's
/// softmax probability; a detector: the detection's confidence re-found in that forward). Cost per map:
/// 1 + 2·|percentiles| + 2·Steps − 1 forwards (40 with the defaults), batched, no backward; the unperturbed
/// confidence is one more forward for all maps.
/// </summary>
public static class FaithfulnessMetrics
{
    /// <summary>Confidences of a batch: entry i is target <c>Target</c>'s confidence on <c>Input</c> ([C, H, W], row-major).</summary>
    public delegate double[] Confidence(IReadOnlyList<(float[] Input, int Target)> batch);

    /// <summary>
    /// The scores of each map: <paramref name="maps"/>[k] ([H·W], scaled to [0, 1] as pytorch-grad-cam's maps, at the
    /// input's resolution) explains target <paramref name="targets"/>[k] on <paramref name="input"/> [C, H, W].
    /// </summary>
    public static FaithfulnessScores[] Measure(Confidence confidence, float[] input, int channels, int height, int width,
        IReadOnlyList<float[]> maps, IReadOnlyList<int> targets, FaithfulnessOptions? options = null)
    {
        options ??= new FaithfulnessOptions();
        int plane = height * width, steps = options.Steps, np = options.Percentiles.Count;
        if (input.Length != channels * plane || maps.Any(m => m.Length != plane) || maps.Count != targets.Count)
            throw new ArgumentException("faithfulness: input, maps and targets do not match");
        if (steps < 1 || options.BatchSize < 1) throw new ArgumentException("faithfulness: Steps and BatchSize must be at least 1");
        var random = new Random(options.Seed);

        // Every perturbed input, in order, made when its batch is due: per map, the map product, ROAD (MoRF then LeRF
        // per percentile), deletion at 1..Steps, insertion at 1..Steps−1 (insertion at 0 is deletion at Steps).
        int per = 1 + 2 * np + steps + steps - 1;
        IEnumerable<(float[], int)> Perturbed()
        {
            for (int k = 0; k < maps.Count; k++)
            {
                var map = maps[k];
                yield return (Multiply(input, map, channels, plane), targets[k]);
                foreach (double p in options.Percentiles)
                    foreach (bool most in new[] { true, false })
                        yield return (NoisyLinearImputer.Impute(input, channels, height, width, RoadMask.Keep(map, p, most), options.Noise, random), targets[k]);
                var order = Enumerable.Range(0, plane).OrderByDescending(i => map[i]).ToArray(); // ties: lower index first
                for (int s = 1; s <= steps; s++) yield return (Deleted(input, order, Count(s, steps, plane), channels, plane, insert: false), targets[k]);
                for (int s = 1; s < steps; s++) yield return (Deleted(input, order, Count(s, steps, plane), channels, plane, insert: true), targets[k]);
            }
        }
        var before = confidence(targets.Select(t => (input, t)).ToList());
        var after = new List<double>(maps.Count * per);
        foreach (var chunk in Perturbed().Chunk(options.BatchSize)) after.AddRange(confidence(chunk));

        var scores = new FaithfulnessScores[maps.Count];
        for (int k = 0; k < maps.Count; k++)
        {
            var o = after.Skip(k * per).Take(per).ToArray();
            double y = before[k], mult = o[0] - y;
            var morf = Enumerable.Range(0, np).Select(i => o[1 + 2 * i] - y).ToArray();
            var lerf = Enumerable.Range(0, np).Select(i => o[2 + 2 * i] - y).ToArray();
            var deletion = new double[steps + 1];
            var insertion = new double[steps + 1];
            deletion[0] = insertion[steps] = y;
            for (int s = 1; s <= steps; s++) deletion[s] = o[1 + 2 * np + s - 1];
            insertion[0] = deletion[steps];
            for (int s = 1; s < steps; s++) insertion[s] = o[1 + 2 * np + steps + s - 1];
            scores[k] = new FaithfulnessScores(y, mult, Math.Max(-mult, 0), y > 0 ? Math.Max(-mult, 0) / y : 0, mult > 0,
                morf, lerf, np == 0 ? 0 : (lerf.Average() - morf.Average()) / 2, Auc(deletion), Auc(insertion), deletion, insertion);
        }
        return scores;
    }

    /// <summary>How many pixels are deleted (inserted) at step s of <paramref name="steps"/>: round(s·P / steps).</summary>
    public static int Count(int s, int steps, int plane) => (int)Math.Round((double)s * plane / steps, MidpointRounding.AwayFromZero);

    /// <summary>The trapezoidal area under a curve sampled evenly on [0, 1].</summary>
    public static double Auc(IReadOnlyList<double> curve)
    {
        double sum = 0;
        for (int i = 1; i < curve.Count; i++) sum += (curve[i - 1] + curve[i]) / 2;
        return sum / (curve.Count - 1);
    }

    /// <summary>The input times the map, every channel (pytorch-grad-cam's <c>multiply_tensor_with_cam</c>), float32.</summary>
    public static float[] Multiply(float[] input, float[] map, int channels, int plane)
    {
        var result = new float[input.Length];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < plane; p++) result[c * plane + p] = input[c * plane + p] * map[p];
        return result;
    }

    // Deletion: the first n pixels of `order` set to 0; insertion: only those kept, the rest 0.
    static float[] Deleted(float[] input, int[] order, int n, int channels, int plane, bool insert)
    {
        var result = insert ? new float[input.Length] : (float[])input.Clone();
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
            {
                int at = c * plane + order[i];
                result[at] = insert ? input[at] : 0f;
            }
        return result;
    }
}
