using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>An input to an op under test: float64 data (float32-exact), its shape, and whether it needs a gradient.</summary>
public sealed record OpInput(double[] Data, int[] Shape, bool RequiresGrad = true);

/// <summary>The outcome of one forward (+ backward) on the device, copied to the host.</summary>
public sealed record OpResult(float[] Output, int[] OutputShape, float[]?[] Grads);

/// <summary>
/// Runs an op on the test device inside a tape: uploads the inputs, runs the forward, and if an
/// output gradient is given ([K, ..output shape] flattened, K ≥ 1), runs one backward sweep and
/// returns each input's gradient ([K, ..input shape] flattened). Everything is freed afterwards.
/// </summary>
public static class OpRunner
{
    public static OpResult Run(Func<Var[], Var> op, OpInput[] inputs, double[]? outputGrad = null)
    {
        var device = TestDevice.CurrentOrDefault;
        var tensors = inputs.Select(i => Tensor.FromArray(device, ToFloat(i.Data), i.Shape)).ToArray();
        try
        {
            using var tape = new Tape();
            var vars = tensors.Select((t, i) => Var.Input(t, inputs[i].RequiresGrad)).ToArray();
            var y = op(vars);
            var output = y.Value.ToArray();
            var grads = new float[]?[inputs.Length];
            if (outputGrad != null)
            {
                int k = outputGrad.Length / Math.Max(1, y.Value.Length);
                using var gy = Tensor.FromArray(device, ToFloat(outputGrad), [k, .. y.Shape]);
                y.Backward(gy);
                for (int i = 0; i < vars.Length; i++) grads[i] = vars[i].Grad?.ToArray();
            }
            return new OpResult(output, y.Shape, grads);
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    public static float[] ToFloat(double[] a) => a.Select(v => (float)v).ToArray();
}
