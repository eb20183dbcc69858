using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>Every method's raw maps (K = 3 targets, one backward sweep) against the float64 PyTorch reference.</summary>
public class CamMethodTests
{
    public static IEnumerable<object[]> Cases() =>
        from m in CamFixture.AllMethods from l in CamFixture.Layers select new object[] { m, l };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MapsMatchPyTorch(CamMethod method, string layer)
    {
        var actual = CamFixture.All.Get(method, layer);
        var (expected, shape) = CamFixture.Expected($"{method}/{layer}");
        Assert.Equal(3, actual.Maps.Length);
        // EigenCAM does not depend on the target: the reference holds one map, every target gets it.
        if (method == CamMethod.EigenCam)
            for (int k = 0; k < 3; k++)
                CamFixture.CheckMaps(actual with { Maps = [actual.Maps[k]], Min = [actual.Min[k]], Max = [actual.Max[k]] }, expected, 1, $"{method} {layer}");
        else CamFixture.CheckMaps(actual, expected, shape[0], $"{method} {layer}", Tolerance(method, layer));
    }

    /// <summary>
    /// 1e-3 of each map's scale, except XGrad-CAM at model.23: it divides by S_c = Σ_p A_cp, and one channel's 20
    /// values cancel to S = 5.2e-4 there, so float32 activation noise (~1e-4 of scale) moves that channel's weight by
    /// percents. PyTorch's own float32 network is 1.75e-3 off the float64 map; ours is 4.9e-3. The kernel's arithmetic
    /// is checked at 1e-4 on identical inputs in <see cref="XGradCamKernelOnPyTorchFloat32Inputs"/>.
    /// </summary>
    static double Tolerance(CamMethod method, string layer) =>
        method == CamMethod.XGradCam && layer == "model.23.cv3.act" ? 1e-2 : 1e-3;

    [Fact]
    public void XGradCamKernelOnPyTorchFloat32Inputs()
    {
        var d = TestDevice.Default;
        var (av, ashape) = Yolo.YoloFixture.Array("yolov5n_act_model_23_cv3_act");
        var (gv, gshape) = Yolo.YoloFixture.Array("yolov5n_grad2_model_23_cv3_act");
        using var a = Tensors.Tensor.FromArray(d, av, ashape);
        using var g = Tensors.Tensor.FromArray(d, gv, gshape);
        using var w = Tensors.Tensor.Empty(d, 1, ashape[1]);
        using var map = Tensors.Tensor.Empty(d, 1, ashape[2], ashape[3]);
        var kernels = CamKernels.For(d);
        kernels.ChannelWeights(CamMethod.XGradCam, a, g, w, 0);
        kernels.WeightedSum(a, w, map);
        var (expected, _) = CamFixture.Expected("XGradCamOnFloat32/model.23.cv3.act");
        Check.Close(map.ToArray(), expected, "XGrad-CAM kernel", 1e-4, 1e-4 * expected.Max());
    }

    [Fact]
    public void RangesAreEachMapsMinAndMax()
    {
        foreach (var m in CamFixture.All.Maps)
            for (int k = 0; k < m.Maps.Length; k++)
            {
                Assert.Equal(m.Maps[k].Min(), m.Min[k]);
                Assert.Equal(m.Maps[k].Max(), m.Max[k]);
            }
    }

    [Fact]
    public void ConfidenceScoreSeedsObjectnessAndClassWithTheChainRule()
    {
        using var x = CamFixture.Input();
        using var r = new YoloCam(CamFixture.Model).Compute(x, CamFixture.Targets(CamScore.Confidence),
            new CamRequest { Layers = CamFixture.Layers });
        foreach (var layer in CamFixture.Layers)
            CamFixture.CheckMaps(r[CamMethod.GradCam, layer].ToHost(), CamFixture.Expected($"GradCamConf/{layer}").Data, 3, $"conf Grad-CAM {layer}");
    }

    [Fact]
    public void GradCamPlusPlusEpsilonIsAnOptionThatChangesTheMaps()
    {
        using var x = CamFixture.Input();
        using var r = new YoloCam(CamFixture.Model).Compute(x, CamFixture.Targets(),
            new CamRequest { Methods = [CamMethod.GradCamPlusPlus], Layers = CamFixture.Layers, GradCamPlusPlusEpsilon = 1e-6f });
        foreach (var layer in CamFixture.Layers)
            CamFixture.CheckMaps(r[CamMethod.GradCamPlusPlus, layer].ToHost(), CamFixture.Expected($"GradCamPlusPlusEps/{layer}").Data, 3, $"Grad-CAM++ ε {layer}");
        // Target 2 at model.17: the ε variant's largest value is about half the paper formula's.
        var exact = CamFixture.All.Get(CamMethod.GradCamPlusPlus, "model.17.cv3.act").Max[2];
        var eps = r[CamMethod.GradCamPlusPlus, "model.17.cv3.act"].ToHost().Max[2];
        Assert.True(eps < 0.8 * exact, $"ε = 1e-6 should visibly change Grad-CAM++ (max {eps} vs {exact})");
    }

    [Fact]
    public void GuidedBackpropMatchesPyTorchGuidedSiLU()
    {
        var all = CamFixture.All;
        int n = 3 * 160 * 128;
        Assert.Equal(3 * n, all.Guided.Length);
        foreach (int k in new[] { 0, 2 })
        {
            var (expected, _) = Yolo.YoloFixture.Array($"../cam/yolov5n_guided{k}");
            double scale = expected.Max(v => Math.Abs((double)v));
            Check.Close(all.Guided.AsSpan(k * n, n), expected, $"guided backprop target {k}", 1e-3, 1e-3 * scale);
        }
        var (gg, _) = Yolo.YoloFixture.Array("../cam/yolov5n_guided_gradcam0_model_17");
        double s = gg.Max(v => Math.Abs((double)v));
        Check.Close(all.GuidedGradCam17.AsSpan(0, n), gg, "guided Grad-CAM target 0 at model.17", 1e-3, 1e-3 * s);
    }
}
