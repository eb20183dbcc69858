using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Explain a classifier's classes on one input: one forward (the classes chosen from its logits) → one backward
/// sweep for all of them → the requested maps. classify-cam and the <c>NativeCam</c> facade both run this, for
/// torchvision classifiers and ViT alike. Dispose it to free the maps.
/// </summary>
public sealed class ClassPass : IDisposable
{
    ClassPass(float[] logits, int[] classes, CamResult result)
    {
        Logits = logits;
        Classes = classes;
        Result = result;
    }

    /// <summary>The network's logits for the input.</summary>
    public float[] Logits { get; }

    /// <summary>The explained classes; target k of <see cref="Result"/> is class <c>Classes[k]</c>.</summary>
    public int[] Classes { get; }

    /// <summary>The maps, one row per class.</summary>
    public CamResult Result { get; }

    /// <summary>Runs the pass; <paramref name="choose"/> picks the classes from the logits.</summary>
    public static ClassPass Run(ICamAdapter<ClassTargets> adapter, Tensor input, Func<float[], int[]> choose, CamRequest request)
    {
        float[] logits = [];
        int[] classes = [];
        var result = CamEngine.Compute(adapter, input, outputs =>
        {
            logits = outputs[0].Value.ToArray();
            classes = choose(logits);
            return new ClassTargets(classes);
        }, request);
        return new ClassPass(logits, classes, result);
    }

    /// <summary>Softmax probabilities of the logits, in double.</summary>
    public double[] Probabilities() => Softmax(Logits);

    /// <summary>Softmax probabilities of <paramref name="logits"/>, in double.</summary>
    public static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
        double total = exp.Sum();
        return exp.Select(e => e / total).ToArray();
    }

    /// <summary>The <paramref name="k"/> best classes of <paramref name="logits"/>, best first (ties by id).</summary>
    public static int[] Top(float[] logits, int k) =>
        Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(k).ToArray();

    /// <summary>Frees the maps.</summary>
    public void Dispose() => Result.Dispose();
}
