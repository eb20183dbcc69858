using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// The input-space methods' passes beyond the main one (docs/cam.md): Integrated Gradients along the straight path from
/// a zero baseline, SmoothGrad over noisy copies. Each pass is one forward of one image and one K-target backward sweep
/// with the fixed targets of the main pass; the maps are made on the host and live at the input's resolution under the
/// layer name <see cref="Layer"/>.
/// </summary>
public static class InputAttribution
{
    /// <summary>The layer name of input-space maps (FullGrad, Integrated Gradients, SmoothGrad).</summary>
    public const string Layer = "input";

    /// <summary>Whether <paramref name="method"/>'s map lives at the input, not at a watched layer.</summary>
    public static bool InInputSpace(CamMethod method) =>
        method is CamMethod.FullGrad or CamMethod.IntegratedGradients or CamMethod.SmoothGrad;

    /// <summary>∂ score_k / ∂x at <paramref name="x"/> for the K targets: [K · 3 · H · W] on the host.</summary>
    internal static float[] Gradient<TTargets>(ICamAdapter<TTargets> adapter, float[] x, int[] shape, TTargets targets, Device device)
        where TTargets : ICamTargets
    {
        using var tape = new Tape();
        using var value = Tensor.FromArray(device, x, shape);
        var input = Var.Input(value, requiresGrad: true);
        CamEngine.Backward(adapter, tape, adapter.Forward(input), targets);
        return input.Grad?.ToArray() ?? new float[targets.Count * x.Length];
    }

    /// <summary>
    /// Captum's IntegratedGradients with method 'gausslegendre' and baseline 0: attr = x ⊙ Σ_i w_i ∂y/∂x(α_i x);
    /// the map |Σ_c attr_c| (Captum's visualize_image_attr default, sign 'absolute_value'): [K · H · W].
    /// </summary>
    internal static float[] IntegratedGradients<TTargets>(ICamAdapter<TTargets> adapter, Tensor input, TTargets targets, int steps)
        where TTargets : ICamTargets
    {
        if (steps < 1) throw new ArgumentException("CAM: IgSteps must be at least 1");
        var x = input.ToArray();
        var total = new double[targets.Count * x.Length];
        var (alphas, weights) = GaussLegendre.UnitInterval(steps);
        for (int i = 0; i < steps; i++)
        {
            var scaled = x.Select(v => (float)(alphas[i] * v)).ToArray();
            var g = Gradient(adapter, scaled, input.Shape, targets, input.Device);
            for (int j = 0; j < g.Length; j++) total[j] += weights[i] * g[j];
        }
        return ChannelSum(total, x, targets.Count, input.Shape[2] * input.Shape[3], nonNegative: false);
    }

    /// <summary>
    /// Captum's NoiseTunnel(Saliency) with nt_type 'smoothgrad': the mean over <paramref name="samples"/> noisy copies of
    /// |∂y/∂x|, summed over colour channels: [K · H · W]. The noise is <see cref="NoiseStream"/>'s.
    /// </summary>
    internal static float[] SmoothGrad<TTargets>(ICamAdapter<TTargets> adapter, Tensor input, TTargets targets, int samples, double sigma, ulong seed)
        where TTargets : ICamTargets
    {
        var x = input.ToArray();
        var total = new double[targets.Count * x.Length];
        foreach (var noisy in NoisyCopies(x, samples, sigma, seed))
        {
            var g = Gradient(adapter, noisy, input.Shape, targets, input.Device);
            for (int j = 0; j < g.Length; j++) total[j] += Math.Abs(g[j]) / samples;
        }
        return ChannelSum(total, null, targets.Count, input.Shape[2] * input.Shape[3], nonNegative: true);
    }

    /// <summary>The noise tunnel's inputs: <paramref name="samples"/> copies of x, each plus N(0, σ²) noise with
    /// σ = <paramref name="sigma"/> · (max x − min x), drawn in order from one <see cref="NoiseStream"/>.</summary>
    internal static IEnumerable<float[]> NoisyCopies(float[] x, int samples, double sigma, ulong seed)
    {
        if (samples < 1) throw new ArgumentException("CAM: SmoothSamples must be at least 1");
        if (!(sigma >= 0) || double.IsInfinity(sigma)) throw new ArgumentException($"CAM: SmoothSigma must be a finite number ≥ 0, got {sigma}");
        double std = sigma * (x.Max() - x.Min());
        var noise = new NoiseStream(seed);
        for (int n = 0; n < samples; n++) yield return noise.Noisy(x, std);
    }

    // map[k, p] = |Σ_c a[k, c, p] · x[c, p]| (x null: 1); a non-negative sum is taken as it is.
    static float[] ChannelSum(double[] a, float[]? x, int k, int p, bool nonNegative)
    {
        int channels = a.Length / (k * p);
        var map = new float[k * p];
        for (int t = 0; t < k; t++)
            for (int i = 0; i < p; i++)
            {
                double s = 0;
                for (int c = 0; c < channels; c++) s += a[(t * channels + c) * p + i] * (x is null ? 1 : x[c * p + i]);
                map[t * p + i] = (float)(nonNegative ? s : Math.Abs(s));
            }
        return map;
    }

    /// <summary>A host map [K · H · W] as a <see cref="CamMap"/> at <see cref="Layer"/>, with its ranges.</summary>
    internal static CamMap ToCamMap(ICamKernels kernels, CamMethod method, float[] map, int k, int height, int width, Device device)
    {
        var tensor = Tensor.FromArray(device, map, [k, height, width]);
        var range = Tensor.Empty(device, k, 2);
        try
        {
            kernels.MapRange(tensor, height * width, range);
            return new CamMap(Layer, method, tensor, range);
        }
        catch
        {
            tensor.Dispose();
            range.Dispose();
            throw;
        }
    }
}
