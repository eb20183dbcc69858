using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// src/Layers' LayerNorm2d (ConvNeXt) and SqueezeExcitation with a SiLU between its convs (EfficientNet), composed
/// from tested ops: forward vs a float64 closed form and PyTorch (torchvision's LayerNorm2d itself), input gradients
/// vs finite differences of the float64 form and PyTorch autograd for K = 2 targets
/// (tests/reference/layers_effnet.py), on both backends. Tolerances: Check's 1e-4 relative + 1e-5.
/// </summary>
public abstract class EffnetBlockTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : EffnetBlockTests(TestDevice.Simd);
    public sealed class Ilgpu() : EffnetBlockTests(TestDevice.Ilgpu);

    const string File = "ops/effnet_blocks.json";

    static BuildContext Context(IEnumerable<KeyValuePair<string, HostTensor>> weights) =>
        new(TestDevice.CurrentOrDefault, new StateDict(weights), new Dictionary<string, ModuleInfo>());

    /// <summary>LayerNorm over C at each pixel of [N, C, H, W] in float64: (x − mean) / √(var + eps) · w + b.</summary>
    static double[] LayerNorm2d(double[] x, int[] shape, double[] w, double[] b, double eps)
    {
        int n = shape[0], c = shape[1], hw = shape[2] * shape[3];
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < hw; p++)
            {
                double mean = 0, var = 0;
                for (int k = 0; k < c; k++) mean += x[(i * c + k) * hw + p] / c;
                for (int k = 0; k < c; k++) var += Math.Pow(x[(i * c + k) * hw + p] - mean, 2) / c;
                for (int k = 0; k < c; k++) y[(i * c + k) * hw + p] = (x[(i * c + k) * hw + p] - mean) / Math.Sqrt(var + eps) * w[k] + b[k];
            }
        return y;
    }

    [Fact]
    public void LayerNorm2d_forward_matches_float64_and_backward_matches_finite_differences()
    {
        var rng = new Rng(7);
        int[] shape = [2, 6, 3, 5];
        var x = rng.Uniform(2 * 6 * 3 * 5, -2, 2);
        var w = rng.Uniform(6, 0.5, 1.5);
        var b = rng.Uniform(6, -0.2, 0.2);
        var gy = rng.Uniform(x.Length);
        using var ln = new LayerNorm2d(Context([KeyValuePair.Create("ln.weight", new HostTensor(OpRunner.ToFloat(w), [6])),
            KeyValuePair.Create("ln.bias", new HostTensor(OpRunner.ToFloat(b), [6]))]), "ln", 6, 1e-6);
        var r = OpRunner.Run(v => ln.Forward(v[0]), [new(x, shape)], gy);
        var wf = OpRunner.ToFloat(w).Select(v => (double)v).ToArray();
        var bf = OpRunner.ToFloat(b).Select(v => (double)v).ToArray();
        var xf = OpRunner.ToFloat(x).Select(v => (double)v).ToArray();
        Check.Close(r.Output, LayerNorm2d(xf, shape, wf, bf, 1e-6), "layernorm2d forward");
        var numeric = GradCheck.Numeric(p => LayerNorm2d(p, shape, wf, bf, 1e-6), xf, gy);
        Check.Close(r.Grads[0], numeric, "layernorm2d backward vs finite differences");
    }

    public static IEnumerable<object[]> Cases() => Fixtures.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch_autograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = c.Inputs["x"];
        var weights = c.Inputs.Where(p => p.Key != "x").Select(p => KeyValuePair.Create(
            "m." + p.Key.Replace("fc1_", "fc1.").Replace("fc2_", "fc2."), new HostTensor(OpRunner.ToFloat(p.Value.Data), p.Value.Shape))).ToList();
        var ctx = Context(weights);
        using Module block = c.Str("op") == "layernorm2d"
            ? new LayerNorm2d(ctx, "m", x.Shape[1], 1e-6)
            : new SqueezeExcitation(ctx, "m", x.Shape[1], Ops.Sigmoid, Ops.Silu);
        Assert.Empty(ctx.Weights.Unused);
        var r = OpRunner.Run(v => block.Forward(v[0]), [new(x.Data, x.Shape)], c.OutputGrad!.Data);
        Assert.Equal(x.Shape, r.OutputShape);
        Check.Close(r.Output, c.Outputs["y"].Data, $"{name} forward");
        Check.Close(r.Grads[0], c.Grads["x"].Data, $"{name} grad x");
    }
}
