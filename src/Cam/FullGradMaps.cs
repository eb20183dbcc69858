using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// FullGrad's bias-gradient maps, gathered during the one backward sweep as pytorch-grad-cam 1.5.5's FullGrad computes
/// them (docs/cam.md, "FullGrad"): installed on the tape as an observer (<see cref="IBackwardOverride"/> that claims no
/// node), it sees every conv with a bias as the sweep reaches it — its output gradient G [K, C, h, w] and bias b — and
/// adds Σ_c s(|b_c · G_kc|) resized to the input, s(m) = (m − min m) / (1e-7 + max m − min m). Min-max scaling then
/// OpenCV's bilinear resize of each channel, summed (pytorch-grad-cam), equals the resize of the sum of the scaled channels
/// (the resize is linear with weights summing to 1), so each layer is resized once. A conv followed by a BatchNorm is
/// one folded conv here whose bias is the BatchNorm's folded bias β − μγ/√(σ²+ε), the bias pytorch-grad-cam takes from
/// the BatchNorm when the conv has none (torchvision's and YOLO's convs); on the host.
/// </summary>
sealed class FullGradMaps(int k, int height, int width) : IBackwardOverride
{
    readonly double[] _sum = new double[k * height * width];

    /// <summary>Convs seen (the bias layers counted).</summary>
    public int Layers { get; private set; }

    /// <inheritdoc/>
    public bool TryBackward(Node node, Tensor gy, Tape tape)
    {
        if (node is not { Op: "Conv2d", Inputs.Length: 3 } || node.Output.Shape is not [1, var c, var h, var w]) return false;
        var bias = node.Inputs[2].Value.ToArray();
        var g = gy.ToArray();
        int p = h * w;
        var layer = new float[p];
        var m = new float[p];
        for (int t = 0; t < k; t++)
        {
            Array.Clear(layer);
            for (int ch = 0; ch < c; ch++)
            {
                int at = (t * c + ch) * p;
                for (int i = 0; i < p; i++) m[i] = MathF.Abs(bias[ch] * g[at + i]);
                AddScaled(m, layer);
            }
            var resized = MapAggregation.Resize(layer, h, w, height, width);
            for (int i = 0; i < resized.Length; i++) _sum[t * resized.Length + i] += resized[i];
        }
        Layers++;
        return false; // the node's own rule still runs
    }

    /// <summary>The final maps [K · H · W]: s(Σ_c s(|x_c · ∂y/∂x_c|) + the bias maps), from the input and its gradient [K, 3, H, W].</summary>
    public float[] Final(float[] input, float[] inputGrad)
    {
        int p = height * width, channels = input.Length / p;
        var total = new float[k * p];
        var m = new float[p];
        for (int t = 0; t < k; t++)
        {
            var row = new float[p];
            for (int ch = 0; ch < channels; ch++)
            {
                for (int i = 0; i < p; i++) m[i] = MathF.Abs(inputGrad[(t * channels + ch) * p + i] * input[ch * p + i]);
                AddScaled(m, row);
            }
            for (int i = 0; i < p; i++) row[i] = (float)(row[i] + _sum[t * p + i]);
            MapAggregation.Scale(row).CopyTo(total, t * p);
        }
        return total;
    }

    // sum += (m − min m) / (1e-7 + max(m − min m)), pytorch-grad-cam's scale_cam_image in float32.
    static void AddScaled(float[] m, float[] sum)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in m) { min = Math.Min(min, v); max = Math.Max(max, v); }
        float denominator = 1e-7f + (max - min);
        for (int i = 0; i < m.Length; i++) sum[i] += (m[i] - min) / denominator;
    }
}
