using ILGPU.Runtime;
using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Ablation-CAM at one layer, as pytorch-grad-cam 1.5.5 computes it with its defaults (docs/cam.md): for each channel c
/// the layer's activation with c ablated (set to 0, or to min A − 1e7 where A's minimum is not 0) replaces the layer's
/// value in a forward pass, w_kc = (s_k − s_kc) / s_k with s_k target k's unperturbed score, map = ReLU(Σ_c w_c A_c).
/// A batch of B ablations is one forward of the input in which the layer's value is substituted by the B ablated
/// copies (<see cref="Tape.Substitute"/>, <see cref="Tape.RepeatsBatch"/>): the network below the layer runs once per
/// batch, for the one image, and only the part above it runs B times (pytorch-grad-cam runs the whole network B times).
/// </summary>
public static class AblationCam
{
    /// <summary>The value an ablated channel gets: 0 where A's minimum is 0 (after a ReLU), else min A − 1e7 (pytorch-grad-cam's rule).</summary>
    internal static float AblationValue(ICamKernels kernels, Tensor a)
    {
        using var range = Tensor.Empty(a.Device, 1, 2);
        kernels.MapRange(a, a.Length, range);
        float min = range.ToArray()[0];
        return min == 0 ? 0f : min - 1e7f;
    }

    /// <summary>Target k's score with channel c ablated: [K, C], from ⌈C / batch⌉ forwards.</summary>
    internal static double[,] AblatedScores<TTargets>(ICamAdapter<TTargets> adapter, ICamScores<TTargets> scorer, ICamKernels kernels,
        string layer, Tensor input, Tensor a, TTargets targets, int batch) where TTargets : ICamTargets
    {
        var device = input.Device;
        int c = a.Shape[1], k = targets.Count, p = a.Shape[2] * a.Shape[3];
        float ablated = AblationValue(kernels, a);
        var scores = new double[k, c];
        for (int first = 0; first < c; first += batch)
        {
            int b = Math.Min(batch, c - first);
            // From the layer up only: the input is the one image, so everything below the layer runs once; the layer's
            // value becomes the batch of b ablated copies, and ops above it that meet a value from below the layer
            // (a skip connection) repeat that one to b (Tape.RepeatsBatch).
            using var tape = new Tape { RepeatsBatch = true };
            var values = tape.Untracked(Tensor.Empty(device, b, c, a.Shape[2], a.Shape[3]));
            for (int i = 0; i < b; i++)
            {
                using (var row = values.Value.Slice(i * a.Length, a.Shape)) row.View.CopyFrom(a.View);
                using var channel = values.Value.Slice((i * c + first + i) * p, p);
                device.Backend.Fill(channel, ablated);
            }
            bool replaced = false;
            tape.Substitute(layer, v =>
            {
                if (!v.Shape.SequenceEqual(a.Shape))
                    throw new ArgumentException($"CAM: ablationcam: layer {layer} is {Tensor.Format(v.Shape)}, not {Tensor.Format(a.Shape)} as in the first pass");
                replaced = true;
                return values;
            });
            var s = scorer.Scores(adapter.Forward(Var.Input(input)), targets);
            if (!replaced) throw new ArgumentException($"CAM: ablationcam: layer {layer} was not named in the batched forward, so it cannot be ablated");
            if (s.Length != b * k)
                throw new ArgumentException($"CAM: ablationcam: the output does not depend on layer {layer}, so ablating it changes nothing");
            for (int i = 0; i < b; i++)
                for (int t = 0; t < k; t++) scores[t, first + i] = s[i * k + t];
        }
        return scores;
    }

    /// <summary>w[k, c] = (s_k − s_kc) / s_k in float32 as pytorch-grad-cam (0 where s_k = 0, where it would divide by zero).</summary>
    public static float[] Weights(double[] original, double[,] ablated)
    {
        int k = ablated.GetLength(0), c = ablated.GetLength(1);
        var w = new float[k * c];
        for (int t = 0; t < k; t++)
        {
            float s = (float)original[t];
            for (int i = 0; i < c; i++) w[t * c + i] = s == 0 ? 0f : (s - (float)ablated[t, i]) / s;
        }
        return w;
    }

    /// <summary>The Ablation-CAM maps [K, h, w] and ranges at <paramref name="layer"/>; <paramref name="original"/>: s_k.</summary>
    internal static CamMap Compute<TTargets>(ICamAdapter<TTargets> adapter, ICamScores<TTargets> scorer, ICamKernels kernels,
        string layer, Tensor input, Tensor a, TTargets targets, double[] original, int batch, CamRequest? eigen = null) where TTargets : ICamTargets
    {
        var weights = Weights(original, AblatedScores(adapter, scorer, kernels, layer, input, a, targets, batch));
        return ScoreCam.Weighted(kernels, CamMethod.AblationCam, layer, a, weights, eigen);
    }
}
