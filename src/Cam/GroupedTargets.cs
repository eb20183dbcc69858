using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Targets that are sums of other targets: group g's score is Σ over its members m of member m's score (detect-cam's
/// <c>--target-mode sum-class</c>: one map per class, its score summed over every detection of the class, as the
/// YOLO CAM tools people use do it). Seeds and scores are linear in the members', so they are summed row by row.
/// </summary>
public sealed class GroupedTargets<TTargets>(TTargets members, IReadOnlyList<int[]> groups) : ICamTargets where TTargets : ICamTargets
{
    /// <summary>The member targets.</summary>
    public TTargets Members { get; } = members;

    /// <summary>Each group's member indices (into <see cref="Members"/>), in map order.</summary>
    public IReadOnlyList<int[]> Groups { get; } = groups;

    /// <inheritdoc/>
    public int Count => Groups.Count;
}

/// <summary>An adapter for <see cref="GroupedTargets{TTargets}"/> over any family's adapter: everything is the inner
/// adapter's, but a group's seed is the sum of its members' seeds, its score the sum of theirs, its layer its first
/// member's.</summary>
public sealed class GroupedAdapter<TTargets>(ICamAdapter<TTargets> inner) : ICamAdapter<GroupedTargets<TTargets>>, ICamScores<GroupedTargets<TTargets>>
    where TTargets : ICamTargets
{
    /// <inheritdoc/>
    public Var[] Forward(Var input) => inner.Forward(input);

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => inner.NormalizeLayer(name);

    /// <inheritdoc/>
    public string LayerHint => inner.LayerHint;

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => inner.DefaultLayers;

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, GroupedTargets<TTargets> targets)
    {
        var layers = inner.TargetLayers(outputs, targets.Members);
        return targets.Groups.Select(g => layers[g[0]]).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, GroupedTargets<TTargets> targets)
    {
        var seeds = inner.Seed(outputs, targets.Members);
        var summed = new List<(Var, Tensor)>();
        try
        {
            foreach (var (output, grad) in seeds)
            {
                var g = grad.ToArray();
                int per = g.Length / grad.Shape[0];
                var rows = new float[targets.Count * per];
                for (int k = 0; k < targets.Count; k++)
                    foreach (int m in targets.Groups[k])
                        for (int i = 0; i < per; i++) rows[k * per + i] += g[m * per + i];
                summed.Add((output, Tensor.FromArray(grad.Device, rows, [targets.Count, .. grad.Shape[1..]])));
            }
            return summed;
        }
        catch
        {
            foreach (var (_, t) in summed) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var (_, t) in seeds) t.Dispose();
        }
    }

    /// <inheritdoc/>
    public double[] Scores(Var[] outputs, GroupedTargets<TTargets> targets)
    {
        if (inner is not ICamScores<TTargets> scorer) throw new ArgumentException("CAM: this family reads no scores from a batched forward");
        var s = scorer.Scores(outputs, targets.Members);
        int m = targets.Members.Count, batch = s.Length / Math.Max(m, 1), k = targets.Count;
        var result = new double[batch * k];
        for (int b = 0; b < batch; b++)
            for (int g = 0; g < k; g++) result[b * k + g] = targets.Groups[g].Sum(i => s[b * m + i]);
        return result;
    }
}
