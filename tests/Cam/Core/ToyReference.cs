namespace NativeCam.Tests.Cam.Core;

/// <summary>
/// The toy classifier in float64 by hand: activations of conv1.act and conv2.act, the gradient of one class logit
/// with respect to each (back through the pool, conv2 and its ReLU), and Grad-CAM from them.
/// </summary>
public sealed class ToyReference
{
    readonly IReadOnlyDictionary<string, float[]> _w;
    readonly int _h, _wd;

    public double[] A1 { get; }  // conv1.act [Mid, h, w]
    public double[] Z2 { get; }  // conv2 before ReLU [Out, h, w]
    public double[] A2 { get; }  // conv2.act [Out, h, w]

    public ToyReference(ToyClassifier model, float[] input, int height, int width)
    {
        _w = model.Host.ToDictionary(p => p.Key, p => p.Value.Data);
        (_h, _wd) = (height, width);
        A1 = Conv(input.Select(v => (double)v).ToArray(), ToyClassifier.In, ToyClassifier.Mid, "conv1").Select(Relu).ToArray();
        Z2 = Conv(A1, ToyClassifier.Mid, ToyClassifier.Out, "conv2");
        A2 = Z2.Select(Relu).ToArray();
    }

    static double Relu(double v) => Math.Max(v, 0);

    /// <summary>d logit_c / d conv2.act: the pool spreads fc's weight evenly over the pixels.</summary>
    public double[] GradientA2(int c)
    {
        int p = _h * _wd;
        var g = new double[ToyClassifier.Out * p];
        for (int o = 0; o < ToyClassifier.Out; o++)
            for (int i = 0; i < p; i++) g[o * p + i] = _w["fc.weight"][c * ToyClassifier.Out + o] / (double)p;
        return g;
    }

    /// <summary>d logit_c / d conv1.act: through conv2.act's ReLU and conv2 (the transposed convolution).</summary>
    public double[] GradientA1(int c)
    {
        var g2 = GradientA2(c);
        for (int i = 0; i < g2.Length; i++) if (Z2[i] <= 0) g2[i] = 0;
        var w = _w["conv2.weight"];
        var g1 = new double[ToyClassifier.Mid * _h * _wd];
        for (int o = 0; o < ToyClassifier.Out; o++)
            for (int ci = 0; ci < ToyClassifier.Mid; ci++)
                for (int y = 0; y < _h; y++)
                    for (int x = 0; x < _wd; x++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int sy = y + ky - 1, sx = x + kx - 1;
                                if (sy < 0 || sy >= _h || sx < 0 || sx >= _wd) continue;
                                g1[(ci * _h + sy) * _wd + sx] += w[((o * ToyClassifier.Mid + ci) * 3 + ky) * 3 + kx] * g2[(o * _h + y) * _wd + x];
                            }
        return g1;
    }

    /// <summary>Grad-CAM: w_c = spatial mean of G_c, map = ReLU(Σ_c w_c A_c), [h·w].</summary>
    public double[] GradCam(double[] a, double[] g, int channels)
    {
        int p = _h * _wd;
        var map = new double[p];
        for (int ch = 0; ch < channels; ch++)
        {
            double weight = 0;
            for (int i = 0; i < p; i++) weight += g[ch * p + i];
            weight /= p;
            for (int i = 0; i < p; i++) map[i] += weight * a[ch * p + i];
        }
        return map.Select(Relu).ToArray();
    }

    // A 3×3, stride 1, padding 1 convolution with bias, in float64.
    double[] Conv(double[] x, int cin, int cout, string name)
    {
        var w = _w[name + ".weight"];
        var b = _w[name + ".bias"];
        var y = new double[cout * _h * _wd];
        for (int o = 0; o < cout; o++)
            for (int yy = 0; yy < _h; yy++)
                for (int xx = 0; xx < _wd; xx++)
                {
                    double s = b[o];
                    for (int ci = 0; ci < cin; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int sy = yy + ky - 1, sx = xx + kx - 1;
                                if (sy < 0 || sy >= _h || sx < 0 || sx >= _wd) continue;
                                s += w[((o * cin + ci) * 3 + ky) * 3 + kx] * x[(ci * _h + sy) * _wd + sx];
                            }
                    y[(o * _h + yy) * _wd + xx] = s;
                }
        return y;
    }
}
