using System.CommandLine;
using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>
/// `nativecam autograd-demo`: the student's first look at the engine (docs/autograd.md). A 2-layer network
/// y = W2·tanh(W1·x + b1) + b2 with 3 inputs, 4 hidden units and 2 outputs, differentiated by the tape, every gradient
/// printed next to its central finite difference (computed in float64 on the host, no engine involved): first K = 1
/// (one seed, the gradient of y[0]), then K = 2 (both outputs' gradients in one sweep, one row each).
/// </summary>
public static class AutogradDemoCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var cmd = new Command("autograd-demo",
            "Print a 2-layer network's gradients from autograd next to finite differences (docs/autograd.md).\n\nExample:\n  nativecam autograd-demo --device cpu");
        cmd.Options.Add(device);
        cmd.SetAction(parse =>
        {
            using var dev = CommonOptions.OpenDevice(parse.GetValue(device));
            double worst = Run(dev, Console.Out);
            return worst < 1e-4 ? ExitCodes.Ok : ExitCodes.Internal;
        });
        return cmd;
    }

    // Fixed small weights: the demo prints the same numbers every run.
    static readonly float[] X = [0.5f, -1.0f, 2.0f];
    static readonly float[] W1 = [0.2f, -0.4f, 0.1f, 0.7f, 0.3f, -0.2f, -0.5f, 0.6f, 0.05f, 0.1f, 0.25f, -0.3f];
    static readonly float[] B1 = [0.1f, -0.2f, 0.3f, 0f];
    static readonly float[] W2 = [0.6f, -0.7f, 0.2f, 0.9f, -0.1f, 0.4f, 0.8f, -0.5f];
    static readonly float[] B2 = [0.05f, -0.05f];

    /// <summary>Runs the demo on <paramref name="device"/>, writing the tables to <paramref name="output"/>; returns the largest relative difference.</summary>
    public static double Run(Device device, TextWriter output)
    {
        using var tape = new Tape();
        using var xt = Tensor.FromArray(device, X, 3);
        using var w1t = Tensor.FromArray(device, W1, 4, 3);
        using var b1t = Tensor.FromArray(device, B1, 4);
        using var w2t = Tensor.FromArray(device, W2, 2, 4);
        using var b2t = Tensor.FromArray(device, B2, 2);
        var x = Var.Input(xt, requiresGrad: true);
        var w1 = Var.Parameter(w1t, requiresGrad: true);
        var b1 = Var.Parameter(b1t, requiresGrad: true);
        var w2 = Var.Parameter(w2t, requiresGrad: true);
        var b2 = Var.Parameter(b2t);

        // Forward: every op runs its kernel and records a node on the tape.
        var h = Ops.Tanh(Ops.Linear(x, w1, b1));
        var y = Ops.Linear(h, w2, b2);
        output.WriteLine($"y = W2·tanh(W1·x + b1) + b2 = [{string.Join(", ", y.Value.ToArray().Select(v => v.ToString("F6")))}], {tape.RecordedOps} ops recorded");

        // K = 1: one seed dL/dy = [1, 0], so L = y[0]; backward fills x.Grad [1, 3] and the parameters' gradients.
        using (var seed = Tensor.FromArray(device, [1f, 0f], 2)) y.Backward(seed);
        output.WriteLine("\nK = 1, the gradient of y[0]:");
        double worst = Table(output, "x", x.Grad!.ToArray(), i => Numeric(0, p => p.X, i));
        worst = Math.Max(worst, Table(output, "W1", w1.Grad!.ToArray(), i => Numeric(0, p => p.W1, i)));
        worst = Math.Max(worst, Table(output, "b1", b1.Grad!.ToArray(), i => Numeric(0, p => p.B1, i)));
        worst = Math.Max(worst, Table(output, "W2", w2.Grad!.ToArray(), i => Numeric(0, p => p.W2, i)));

        // K = 2: seeds [[1, 0], [0, 1]] in one sweep; x.Grad is [2, 3], row k the gradient of y[k] (parameters sum the rows).
        using (var seeds = Tensor.FromArray(device, [1f, 0f, 0f, 1f], 2, 2)) y.Backward(seeds);
        output.WriteLine("\nK = 2, the gradients of y[0] and y[1] in one sweep (x.Grad is [2, 3]):");
        var gx = x.Grad!.ToArray();
        worst = Math.Max(worst, Table(output, "x (k=0)", gx[..3], i => Numeric(0, p => p.X, i)));
        worst = Math.Max(worst, Table(output, "x (k=1)", gx[3..], i => Numeric(1, p => p.X, i)));
        output.WriteLine($"\nlargest relative difference: {worst:E1}");
        return worst;
    }

    static double Table(TextWriter output, string name, float[] autograd, Func<int, double> numeric)
    {
        double worst = 0;
        for (int i = 0; i < autograd.Length; i++)
        {
            double fd = numeric(i), diff = Math.Abs(autograd[i] - fd) / Math.Max(Math.Abs(fd), 1e-3);
            worst = Math.Max(worst, diff);
            output.WriteLine($"  d/d{name}[{i}]  autograd {autograd[i],12:F7}  finite difference {fd,12:F7}");
        }
        return worst;
    }

    /// <summary>The network's parameters in float64, copied so one can be nudged.</summary>
    sealed record Params(double[] X, double[] W1, double[] B1, double[] W2, double[] B2);

    static double Forward(Params p, int output)
    {
        double y = p.B2[output];
        for (int j = 0; j < 4; j++)
        {
            double pre = p.B1[j];
            for (int i = 0; i < 3; i++) pre += p.W1[j * 3 + i] * p.X[i];
            y += p.W2[output * 4 + j] * Math.Tanh(pre);
        }
        return y;
    }

    /// <summary>(y(θ + h) − y(θ − h)) / 2h for the parameter <paramref name="which"/>[<paramref name="i"/>].</summary>
    static double Numeric(int output, Func<Params, double[]> which, int i, double h = 1e-6)
    {
        static double[] D(float[] a) => a.Select(v => (double)v).ToArray();
        var p = new Params(D(X), D(W1), D(B1), D(W2), D(B2));
        double keep = which(p)[i];
        which(p)[i] = keep + h;
        double up = Forward(p, output);
        which(p)[i] = keep - h;
        double down = Forward(p, output);
        return (up - down) / (2 * h);
    }
}
