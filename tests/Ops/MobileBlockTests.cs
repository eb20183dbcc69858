using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// src/Layers' Hardswish, Hardsigmoid and SqueezeExcitation (composed from tested ops, so no new kernel): forward vs
/// float64 closed forms and PyTorch, input gradients vs finite differences of the float64 forms and PyTorch autograd
/// for K = 2 targets (tests/reference/layers_mobile.py), on both backends. Tolerances: Check's 1e-4 relative + 1e-5.
/// </summary>
public abstract class MobileBlockTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : MobileBlockTests(TestDevice.Simd);
    public sealed class Ilgpu() : MobileBlockTests(TestDevice.Ilgpu);

    const string File = "ops/mobile_blocks.json";

    static double HardSigmoid(double x) => Math.Clamp(x + 3, 0, 6) / 6;
    static double HardSwish(double x) => x * HardSigmoid(x);
    static double Reference(string op, double x) => op == "hardswish" ? HardSwish(x) : HardSigmoid(x);

    static Module Block(string op) => op == "hardswish"
        ? new Hardswish("act")
        : new Hardsigmoid("act");

    [Theory]
    [InlineData("hardswish")]
    [InlineData("hardsigmoid")]
    public void Forward_matches_float64_and_backward_matches_finite_differences(string op)
    {
        var rng = new Rng(op.Length);
        var x = rng.Uniform(203, -6, 6).Select(v => Math.Abs(Math.Abs(v) - 3) < 1e-3 ? v + 2e-3 : v).ToArray();
        var gy = rng.Uniform(x.Length);
        using var block = Block(op);
        var r = OpRunner.Run(v => block.Forward(v[0]), [new(x, [x.Length])], gy);
        Check.Close(r.Output, x.Select(v => Reference(op, v)).ToArray(), $"{op} forward");
        var numeric = GradCheck.Numeric(p => p.Select(v => Reference(op, v)).ToArray(), x, gy);
        Check.Close(r.Grads[0], numeric, $"{op} backward vs finite differences");
    }

    public static IEnumerable<object[]> Cases() => Fixtures.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch_autograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = c.Inputs["x"];
        Module block;
        if (c.Str("op") == "se")
        {
            var weights = new StateDict(c.Inputs.Where(p => p.Key != "x").Select(p => KeyValuePair.Create(
                p.Key.Replace("fc1_", "se.fc1.").Replace("fc2_", "se.fc2."), new HostTensor(OpRunner.ToFloat(p.Value.Data), p.Value.Shape))));
            var ctx = new BuildContext(TestDevice.CurrentOrDefault, weights, new Dictionary<string, ModuleInfo>());
            Hardsigmoid? gate = c.Str("scale") == "hardsigmoid" ? new Hardsigmoid("gate") : null;
            block = new SqueezeExcitation(ctx, "se", x.Shape[1], gate is null ? Ops.Sigmoid : gate.Forward);
            Assert.Equal(c.Inputs["fc1_weight"].Shape[0], ((SqueezeExcitation)block).Squeeze);
            Assert.Empty(weights.Unused);
            try { Run(block); }
            finally { gate?.Dispose(); }
        }
        else Run(Block(c.Str("op")));

        void Run(Module m)
        {
            using (m)
            {
                var r = OpRunner.Run(v => m.Forward(v[0]), [new(x.Data, x.Shape)], c.OutputGrad!.Data);
                Check.Close(r.Output, c.Outputs["y"].Data, $"{name} forward");
                Check.Close(r.Grads[0], c.Grads["x"].Data, $"{name} grad x");
            }
        }
    }
}
