using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// Ops.AddRelu (ResNet's block tail in one pass) against the two ops it replaces, Relu(Add(a, b)), on the same
/// device: forward and both input gradients equal bit for bit, with K targets, with ties at zero (a + b = 0
/// exactly), with only one input requiring a gradient, and under guided backpropagation.
/// </summary>
public abstract class AddReluTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : AddReluTests(TestDevice.Simd);
    public sealed class Ilgpu() : AddReluTests(TestDevice.Ilgpu);

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void EqualsReluOfAddForwardAndBackward(bool guided, bool gradA, bool gradB)
    {
        int[] shape = [2, 3, 7, 11];
        int n = 2 * 3 * 7 * 11, k = 3;
        var rng = new Rng(n + (guided ? 1 : 0));
        // Halves: many sums are exactly zero, where ReLU's derivative is 0.
        var a = rng.Uniform(n, -2, 2).Select(v => Math.Round(v * 2) / 2).ToArray();
        var b = rng.Uniform(n, -2, 2).Select(v => Math.Round(v * 2) / 2).ToArray();
        var gy = rng.Uniform(k * n, -1, 1);
        Assert.Contains(a.Zip(b), p => p.First + p.Second == 0);

        var fused = Run(v => Ops.AddRelu(v[0], v[1]), a, b, shape, gy, guided, gradA, gradB);
        var twoOps = Run(v => Ops.Relu(Ops.Add(v[0], v[1])), a, b, shape, gy, guided, gradA, gradB);
        Assert.Equal(twoOps.Output, fused.Output);
        for (int i = 0; i < 2; i++) Assert.Equal(twoOps.Grads[i], fused.Grads[i]);
        Assert.Equal(gradA, fused.Grads[0] != null);
        Assert.Equal(gradB, fused.Grads[1] != null);
    }

    [Fact]
    public void RejectsDifferentShapes()
    {
        var device = TestDevice.CurrentOrDefault;
        using var ta = Tensor.FromArray(device, new float[6], 2, 3);
        using var tb = Tensor.FromArray(device, new float[3], 3);
        using var tape = new Tape();
        Assert.Throws<ArgumentException>(() => Ops.AddRelu(Var.Input(ta, false), Var.Input(tb, false)));
    }

    static OpResult Run(Func<Var[], Var> op, double[] a, double[] b, int[] shape, double[] gy, bool guided, bool gradA, bool gradB)
    {
        var device = TestDevice.CurrentOrDefault;
        using var ta = Tensor.FromArray(device, OpRunner.ToFloat(a), shape);
        using var tb = Tensor.FromArray(device, OpRunner.ToFloat(b), shape);
        using var tape = new Tape();
        using var rule = guided ? NativeCam.Cam.GuidedBackprop.On(tape) : null;
        var va = Var.Input(ta, gradA);
        var vb = Var.Input(tb, gradB);
        var y = op([va, vb]);
        using var g = Tensor.FromArray(device, OpRunner.ToFloat(gy), [gy.Length / a.Length, .. shape]);
        y.Backward(g);
        return new OpResult(y.Value.ToArray(), y.Shape, [va.Grad?.ToArray(), vb.Grad?.ToArray()]);
    }
}
