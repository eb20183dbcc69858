using NativeCam.Autograd;
using NativeCam.Layers;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// The two layer extensions Inception v3 needs, against float64 references: AvgPool2d with a stride and zero padding
/// counted in the mean (F.avg_pool2d(x, 3, 1, 1), count_include_pad=True) forward and backward (finite differences),
/// and ConvBn with a rectangular kernel and padding (the 1×7 / 7×1 BasicConv2d) equal to conv then BatchNorm.
/// </summary>
public class InceptionLayerTests
{
    // Every k×k window's sum over the zero-padded input divided by k², padding included.
    static double[] AvgPool(double[] x, int c, int h, int w, int k, int s, int p)
    {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        var y = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double sum = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * s - p + ky, ix = ox * s - p + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) sum += x[(ch * h + iy) * w + ix];
                        }
                    y[(ch * oh + oy) * ow + ox] = sum / (k * k);
                }
        return y;
    }

    [Theory]
    [InlineData(3, 1, 1, 7, 5)]  // Inception's branch_pool
    [InlineData(3, 2, 1, 8, 9)]
    [InlineData(2, 2, 0, 6, 7)]  // DenseNet's transition (stride = kernel)
    public void AvgPool2d_counts_the_padding_in_the_mean(int k, int s, int p, int h, int w)
    {
        const int c = 3;
        var rng = new Rng(k * 100 + s * 10 + p);
        var x = rng.Uniform(c * h * w);
        var y = AvgPool(x, c, h, w, k, s, p);
        var gy = rng.Uniform(2 * y.Length);
        using var pool = new AvgPool2d(TestDevice.CurrentOrDefault, "pool", c, k, s == k ? 0 : s, p);
        var r = OpRunner.Run(v => pool.Forward(v[0]), [new(x, [1, c, h, w])], gy);
        Assert.Equal([1, c, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1], r.OutputShape);
        Check.Close(r.Output, y, "avg pool forward");
        var expected = GradCheck.Numeric(q => AvgPool(q, c, h, w, k, s, p), x, gy[..y.Length])
            .Concat(GradCheck.Numeric(q => AvgPool(q, c, h, w, k, s, p), x, gy[y.Length..])).ToArray();
        Check.Close(r.Grads[0], expected, "avg pool grad vs finite differences (2 targets)");
    }

    [Theory]
    [InlineData(1, 7, 0, 3)]
    [InlineData(7, 1, 3, 0)]
    [InlineData(1, 3, 0, 1)]
    public void ConvBn_with_a_rectangular_kernel_is_conv_then_batchnorm(int kh, int kw, int ph, int pw)
    {
        const int cin = 3, cout = 4, h = 9, w = 8;
        var rng = new Rng(kh * 10 + kw);
        var x = rng.Uniform(cin * h * w);
        var weight = rng.Uniform(cout * cin * kh * kw);
        double[] gamma = rng.Uniform(cout, 0.5, 1.5), beta = rng.Uniform(cout), mean = rng.Uniform(cout), variance = rng.Uniform(cout, 0.5, 1.5);
        var dict = new StateDict(new Dictionary<string, HostTensor>
        {
            ["c.conv.weight"] = new(OpRunner.ToFloat(weight), [cout, cin, kh, kw]),
            ["c.bn.weight"] = new(OpRunner.ToFloat(gamma), [cout]), ["c.bn.bias"] = new(OpRunner.ToFloat(beta), [cout]),
            ["c.bn.running_mean"] = new(OpRunner.ToFloat(mean), [cout]), ["c.bn.running_var"] = new(OpRunner.ToFloat(variance), [cout]),
        });
        var ctx = new BuildContext(TestDevice.CurrentOrDefault, dict, new Dictionary<string, ModuleInfo>());
        using var conv = new ConvBn(ctx, "c.conv", "c.bn", cin, cout, (kh, kw), (1, 1), (ph, pw), eps: 1e-3);
        var z = RefSpatial.Conv2d(x, [1, cin, h, w], OpRunner.ToFloat(weight).Select(v => (double)v).ToArray(), [cout, cin, kh, kw], null, 1, 1, ph, pw, 1);
        int plane = z.Length / cout;
        var expected = z.Select((v, i) =>
        {
            int o = i / plane;
            double f(double[] a) => (float)a[o];
            return (v - f(mean)) / Math.Sqrt(f(variance) + 1e-3) * f(gamma) + f(beta);
        }).ToArray();
        var r = OpRunner.Run(v => conv.Forward(v[0]), [new(x, [1, cin, h, w])]);
        Assert.Equal([1, cout, h + 2 * ph - kh + 1, w + 2 * pw - kw + 1], r.OutputShape);
        Check.Close(r.Output, expected, $"ConvBn {kh}x{kw}");
    }
}
