using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Score-CAM at one layer, as pytorch-grad-cam 1.5.5 computes it (docs/cam.md): every channel of A becomes a mask on
/// the input (resized with aligned corners, min-max normalised), the masked inputs run through the model in batches on
/// an inference tape, each target's scores over the C masks go through a softmax over channels, and those are the
/// channel weights of ReLU(Σ_c w_c A_c). The masks do not depend on the target: one batch of forwards serves all K.
/// </summary>
static class ScoreCam
{
    /// <summary>Target k's score on the input masked by each channel c: [K, C], from ⌈C / batch⌉ forwards.</summary>
    public static double[,] MaskedScores<TTargets>(ICamAdapter<TTargets> adapter, ICamScores<TTargets> scorer, ICamKernels kernels,
        Tensor input, Tensor a, TTargets targets, int batch) where TTargets : ICamTargets
    {
        var device = input.Device;
        int c = a.Shape[1], k = targets.Count, height = input.Shape[2], width = input.Shape[3];
        var scores = new double[k, c];
        using var range = Tensor.Empty(device, c, 2);
        kernels.UpsampledRange(a, height, width, range);
        for (int first = 0; first < c; first += batch)
        {
            int b = Math.Min(batch, c - first);
            using var tape = new Tape { Inference = true };
            using var masked = Tensor.Empty(device, b, input.Shape[1], height, width);
            kernels.ScoreMasks(input, a, first, range, masked);
            var s = scorer.Scores(adapter.Forward(Var.Input(masked)), targets);
            for (int i = 0; i < b; i++)
                for (int t = 0; t < k; t++) scores[t, first + i] = s[i * k + t];
        }
        return scores;
    }

    /// <summary>w[k, c] = softmax over c of scores[k, c] (rounded to float32, as pytorch-grad-cam's torch.Tensor of scores).</summary>
    public static float[] Softmax(double[,] scores)
    {
        int k = scores.GetLength(0), c = scores.GetLength(1);
        var w = new float[k * c];
        for (int t = 0; t < k; t++)
        {
            double max = double.NegativeInfinity, total = 0;
            for (int i = 0; i < c; i++) max = Math.Max(max, scores[t, i]);
            for (int i = 0; i < c; i++) total += Math.Exp(scores[t, i] - max);
            for (int i = 0; i < c; i++) w[t * c + i] = (float)(Math.Exp(scores[t, i] - max) / total);
        }
        return w;
    }

    /// <summary>The Score-CAM maps [K, h, w] and ranges at <paramref name="layer"/> (activation <paramref name="a"/>).</summary>
    public static CamMap Compute<TTargets>(ICamAdapter<TTargets> adapter, ICamScores<TTargets> scorer, ICamKernels kernels,
        string layer, Tensor input, Tensor a, TTargets targets, int batch, CamRequest? eigen = null) where TTargets : ICamTargets =>
        Weighted(kernels, CamMethod.ScoreCam, layer, a, Softmax(MaskedScores(adapter, scorer, kernels, input, a, targets, batch)), eigen);

    /// <summary>map[k] = ReLU(Σ_c w[k, c] A_c) from host channel weights [K, C], with its ranges; with
    /// <paramref name="eigen"/>'s <see cref="CamRequest.EigenSmooth"/>, the projection of w A instead of the sum.</summary>
    public static CamMap Weighted(ICamKernels kernels, CamMethod method, string layer, Tensor a, float[] weights, CamRequest? eigen = null)
    {
        var device = a.Device;
        int c = a.Shape[1], h = a.Shape[2], w = a.Shape[3], k = weights.Length / c;
        using var weightTensor = Tensor.FromArray(device, weights, [k, c]);
        var map = Tensor.Empty(device, k, h, w);
        var range = Tensor.Empty(device, k, 2);
        try
        {
            if (eigen is { EigenSmooth: true })
                EigenSmoothing.Project(kernels, EigenSmoothing.Weighted(a.ToArray(), weights, k, c), k, c, map, eigen.PowerIterations);
            else kernels.WeightedSum(a, weightTensor, map);
            kernels.MapRange(map, h * w, range);
            device.Synchronize(); // the weights' upload is freed on return
            return new CamMap(layer, method, map, range);
        }
        catch
        {
            map.Dispose();
            range.Dispose();
            throw;
        }
    }
}
