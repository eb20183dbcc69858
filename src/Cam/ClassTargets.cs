using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// A classifier's targets: K class ids, each explaining the raw logit of its class. The seed is one-hot per target,
/// so any family whose output is one row of logits [1, N] (or [N]) uses <see cref="Seed"/> as it is.
/// </summary>
public sealed class ClassTargets(IReadOnlyList<int> classIds) : ICamTargets
{
    /// <summary>The class id of each target, in map order.</summary>
    public IReadOnlyList<int> ClassIds { get; } = classIds;

    /// <inheritdoc/>
    public int Count => ClassIds.Count;

    /// <summary>The seed of the K logits on <paramref name="logits"/> (one image's N logits): [K, ..logits shape],
    /// row k one-hot at class k. An id outside 0..N−1 is an <see cref="ArgumentException"/>.</summary>
    public (Var Output, Tensor Grad) Seed(Var logits)
    {
        int n = logits.Value.Length;
        var seed = new float[Count * n];
        for (int k = 0; k < Count; k++)
        {
            int c = ClassIds[k];
            if (c < 0 || c >= n) throw new ArgumentException($"CAM: class {c} is outside the model's {n} classes");
            seed[k * n + c] = 1;
        }
        return (logits, Tensor.FromArray(logits.Value.Device, seed, [Count, .. logits.Shape]));
    }
}
