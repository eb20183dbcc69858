using NativeCam.Autograd;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

/// <summary>
/// RoIAlign: forward vs torchvision.ops.roi_align and a float64 reference, backward vs PyTorch autograd and finite
/// differences, K targets in one sweep, the two CPU backends bit for bit, and refused regions.
/// </summary>
public abstract class RoiAlignTests(Device device) : BackendTests(device)
{
    public sealed class Simd() : RoiAlignTests(TestDevice.Simd);
    public sealed class Ilgpu() : RoiAlignTests(TestDevice.Ilgpu);

    const string File = "ops/roi_align.json";

    public static IEnumerable<object[]> Cases() => Fixtures.Names(File);

    static Func<Var[], Var> Op(FixtureCase c)
    {
        var size = c.Ints("output_size");
        float scale = (float)c.Double("spatial_scale");
        bool aligned = c.Params.GetProperty("aligned").GetBoolean();
        return v => Ops.RoiAlign(v[0], v[1], size[0], size[1], scale, c.Int("sampling_ratio"), aligned);
    }

    static OpResult Run(FixtureCase c, double[]? gy) => OpRunner.Run(Op(c),
        [new(c.Inputs["x"].Data, c.Inputs["x"].Shape), new(c.Inputs["rois"].Data, c.Inputs["rois"].Shape, RequiresGrad: false)], gy);

    // torchvision in float64 against our float32 kernels: default tolerances (Check.Rtol/Atol, 1e-5-level).
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchvisionForwardAndAutograd(string name)
    {
        var c = Fixtures.Case(File, name);
        var r = Run(c, c.OutputGrad!.Data);
        Assert.Equal(c.Outputs["y"].Shape, r.OutputShape);
        Check.Close(r.Output, c.Outputs["y"].Data, $"{name} forward");
        Check.Close(r.Grads[0], c.Grads["x"].Data, $"{name} grad x");
        Assert.Null(r.Grads[1]);
    }

    // The float64 reference written from the definition, and its central finite differences (RoIAlign is linear
    // in x, so the differences are exact up to rounding).
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFloat64AndFiniteDifferences(string name)
    {
        var c = Fixtures.Case(File, name);
        var size = c.Ints("output_size");
        double scale = (float)c.Double("spatial_scale");
        bool aligned = c.Params.GetProperty("aligned").GetBoolean();
        var (x, xs, rois) = (c.Inputs["x"].Data, c.Inputs["x"].Shape, c.Inputs["rois"].Data);
        double[] F(double[] q) => RefRoiAlign.Forward(q, xs, rois, size[0], size[1], scale, c.Int("sampling_ratio"), aligned);
        var gy = c.OutputGrad!.Data.AsSpan(0, c.Outputs["y"].Data.Length).ToArray();
        var r = Run(c, gy);
        Check.Close(r.Output, F(x), $"{name} forward vs float64");
        Check.Close(r.Grads[0], GradCheck.Numeric(F, x, gy), $"{name} grad vs finite differences");
    }

    [Fact]
    public void KTargetsInOneSweepEqualKSeparateSweeps()
    {
        var c = Fixtures.Case(File, "frcnn_sr2_unaligned");
        int ny = c.Outputs["y"].Data.Length, nx = c.Inputs["x"].Data.Length;
        var all = Run(c, c.OutputGrad!.Data);
        for (int k = 0; k < 2; k++)
        {
            var single = Run(c, c.OutputGrad.Data.AsSpan(k * ny, ny).ToArray());
            Check.Close(all.Grads[0].AsSpan(k * nx, nx), single.Grads[0], $"target {k}", 0, 0);
        }
    }

    [Fact]
    public void RefusesARegionOfNoImage()
    {
        using var x = Tensor.Zeros(TestDevice.CurrentOrDefault, 2, 1, 4, 4);
        using var rois = Tensor.FromArray(TestDevice.CurrentOrDefault, [2f, 0, 0, 3, 3], 1, 5);
        using var tape = new Tape();
        var e = Assert.Throws<ArgumentException>(() => Ops.RoiAlign(Var.Input(x), Var.Input(rois), 7, 7, 0.25f, 2, false));
        Assert.Contains("batch index 2", e.Message);
    }
}

/// <summary>The SIMD CPU backend's RoIAlign equals the ILGPU kernels' on ILGPU's CPU accelerator, bit for bit.</summary>
public sealed class RoiAlignBackendAgreementTests
{
    [Theory]
    [InlineData(2, false)]
    [InlineData(-1, true)]
    public void SimdEqualsIlgpuBitForBit(int sampling, bool aligned)
    {
        var rng = new Rng(5);
        using var x = DevicePair.Random(rng, -1, 1, 2, 3, 13, 17);
        float[] boxes = [0, 3, 5, 40, 30, 1, -4, -2, 20, 60, 1, 50, 10, 80, 70, 0, 7, 7, 7.5f, 7.2f];
        using var rois = new DevicePair(boxes, [4, 5]);
        using var y = DevicePair.Empty(4, 3, 7, 7);
        var g = new RoiAlignGeometry(7, 7, 0.25f, sampling, aligned);
        TestDevice.Simd.Backend.RoiAlign(x.Cpu, rois.Cpu, y.Cpu, g);
        TestDevice.IlgpuCpu.Backend.RoiAlign(x.Reference, rois.Reference, y.Reference, g);
        Assert.Equal(y.Reference.ToArray(), y.Cpu.ToArray());
        using var gy = DevicePair.Random(rng, -1, 1, 2 * 4, 3, 7, 7);
        using var gx = DevicePair.Empty(2 * 2, 3, 13, 17);
        TestDevice.Simd.Backend.RoiAlignBackward(rois.Cpu, gy.Cpu, gx.Cpu, g);
        TestDevice.IlgpuCpu.Backend.RoiAlignBackward(rois.Reference, gy.Reference, gx.Reference, g);
        Assert.Equal(gx.Reference.ToArray(), gx.Cpu.ToArray());
    }
}
