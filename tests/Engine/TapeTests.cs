using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>The tape's contract: what it records, which gradients it computes, and that it owns the pass's memory.</summary>
public class TapeTests
{
    static Device D => TestDevice.Default;

    [Fact]
    public void InferenceRecordsNothing()
    {
        using var x = Tensor.FromArray(D, [1f, -2f, 3f], 3);
        using var tape = new Tape();
        var y = Ops.Silu(Ops.Scale(Var.Input(x), 2f));
        Assert.Equal(0, tape.RecordedOps);
        Assert.False(y.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => y.Backward(Tensor.Full(D, 1f, 3)));
    }

    [Fact]
    public void WatchedNameReceivesGradientThoughNothingUpstreamNeedsOne()
    {
        using var x = Tensor.FromArray(D, [0.5f, -1f, 2f], 3);
        using var w = Tensor.FromArray(D, [2f, 3f, 4f], 3);
        using var tape = new Tape();
        tape.Watch("layer1");
        var weight = Var.Parameter(w);
        var h = Ops.Silu(Var.Input(x)).Named("layer1");
        var y = Ops.Mul(h, weight);
        Assert.Equal(1, tape.RecordedOps); // only the Mul: Silu ran before anything needed a gradient
        using var g = Tensor.FromArray(D, [1f, 1f, 1f], 3);
        y.Backward(g);
        Assert.Same(h, tape.Find("layer1"));
        Check.Close(h.Grad!.ToArray(), new[] { 2f, 3f, 4f }, "d y / d layer1 = weight");
        Assert.Equal(new[] { 1, 3 }, h.Grad!.Shape); // [K, ..shape] with K = 1
        Assert.Null(weight.Grad); // weights get no gradient unless asked
    }

    /// <summary>A CAM's tape frees the spent gradients of named values it does not watch (K times their activation
    /// each); the watched value's gradient is kept and equal to the one a default tape gives: d(Σ w·silu(2·silu(x)))/d layer1
    /// = w·silu'(2·h)·2, with h = silu(x) the watched value.</summary>
    [Fact]
    public void WatchedOnlyFreesNamedButUnwatchedOnes()
    {
        using var x = Tensor.FromArray(D, [0.5f, -1f, 2f], 3);
        using var w = Tensor.FromArray(D, [2f, 3f, 4f], 3);
        using var g = Tensor.FromArray(D, [1f, 1f, 1f, 0f, 1f, 0f], 2, 3); // K = 2
        float[] Run(bool keepOnlyWatched, out bool innerKept)
        {
            using var tape = new Tape { WatchedOnly = keepOnlyWatched };
            tape.Watch("layer1");
            var h = Ops.Silu(Var.Input(x)).Named("layer1");
            var inner = Ops.Silu(Ops.Scale(h, 2f)).Named("layer2");
            Ops.Mul(inner, Var.Parameter(w)).Backward(g);
            innerKept = inner.Grad is not null;
            return h.Grad!.ToArray();
        }
        var kept = Run(false, out bool innerKeptByDefault);
        var lean = Run(true, out bool innerKeptWhenLean);
        Assert.True(innerKeptByDefault);
        Assert.False(innerKeptWhenLean);
        double[] hx = [0.5, -1, 2], wv = [2, 3, 4];
        static double Silu(double v) => v / (1 + Math.Exp(-v));
        static double SiluGrad(double v) { double s = 1 / (1 + Math.Exp(-v)); return s * (1 + v * (1 - s)); }
        var want = new double[6];
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 3; i++)
                want[3 * k + i] = (k == 0 || i == 1 ? 1 : 0) * wv[i] * SiluGrad(2 * Silu(hx[i])) * 2;
        Check.Close(lean, want, "watched gradient, lean tape", rtol: 1e-5, atol: 1e-6);
        Assert.Equal(kept, lean);
    }

    [Fact]
    public void ParameterGradientIsComputedOnlyWhenAskedAndSummedOverTargets()
    {
        using var x = Tensor.FromArray(D, [1f, 2f], 2);
        using var w = Tensor.FromArray(D, [3f, 5f], 2);
        var weight = Var.Parameter(w, requiresGrad: true);
        using (var tape = new Tape())
        {
            var y = Ops.Mul(Var.Input(x), weight);
            using var g = Tensor.FromArray(D, [1f, 1f, 10f, 100f], 2, 2); // K = 2 targets
            y.Backward(g);
            Assert.Equal(new[] { 2 }, weight.Grad!.Shape);
            Check.Close(weight.Grad!.ToArray(), new[] { 1f * 1 + 1 * 10, 2f * 1 + 2 * 100 }, "summed weight gradient");
        }
        weight.ZeroGrad();
        Assert.Null(weight.Grad);
    }

    [Fact]
    public void SecondBackwardReplacesActivationGradients()
    {
        using var x = Tensor.FromArray(D, [1f, 2f], 2);
        using var tape = new Tape();
        var input = Var.Input(x, requiresGrad: true);
        var y = Ops.Scale(input, 3f);
        using var g1 = Tensor.FromArray(D, [1f, 1f], 2);
        using var g2 = Tensor.FromArray(D, [2f, 0f], 2);
        y.Backward(g1);
        y.Backward(g2);
        Check.Close(input.Grad!.ToArray(), new[] { 6f, 0f }, "gradient of the second sweep only");
    }

    [Fact]
    public void ValueUsedTwiceAccumulatesBothPaths()
    {
        using var x = Tensor.FromArray(D, [1.5f, -0.5f], 2);
        using var tape = new Tape();
        var input = Var.Input(x, requiresGrad: true);
        var y = Ops.Mul(input, input); // y = x², dy/dx = 2x
        using var g = Tensor.FromArray(D, [1f, 1f], 2);
        y.Backward(g);
        Check.Close(input.Grad!.ToArray(), new[] { 3f, -1f }, "2x");
    }

    [Fact]
    public void OpsOutsideATapeFailWithAClearMessage()
    {
        using var x = Tensor.FromArray(D, [1f], 1);
        var e = Assert.Throws<InvalidOperationException>(() => Ops.Relu(Var.Input(x)));
        Assert.Contains("no tape is active", e.Message);
    }

    [Fact]
    public void HundredForwardBackwardIterationsLeakNothing()
    {
        var rng = new Rng(11);
        using var x = Tensor.FromArray(D, OpRunner.ToFloat(rng.Uniform(4 * 8 * 6 * 6)), 4, 8, 6, 6);
        using var b = Tensor.FromArray(D, OpRunner.ToFloat(rng.Uniform(8)), 1, 8, 1, 1);
        using var g = Tensor.FromArray(D, OpRunner.ToFloat(rng.Uniform(3 * 4 * 8 * 6 * 6)), 3, 4, 8, 6, 6);
        void Iteration()
        {
            using var tape = new Tape();
            tape.Watch("h");
            var h = Ops.Silu(Ops.Add(Var.Input(x), Var.Parameter(b))).Named("h");
            var y = Ops.Gelu(Ops.Mul(h, Ops.Sigmoid(h)));
            y.Backward(g);
        }
        Iteration(); // warm the pool's free lists
        long steady = D.Pool.LiveBytes;
        D.Pool.ResetPeak();
        long peak = 0;
        for (int i = 0; i < 100; i++)
        {
            Iteration();
            Assert.Equal(steady, D.Pool.LiveBytes);
            if (i == 0) peak = D.Pool.PeakBytes;
        }
        Assert.Equal(peak, D.Pool.PeakBytes); // every iteration reuses the same buffers
    }
}
