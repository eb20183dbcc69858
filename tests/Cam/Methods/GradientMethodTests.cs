using System.Text.Json;
using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Classifiers;
using NativeCam.Tensors;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cam.Methods;

/// <summary>
/// FullGrad and eigen_smooth against pytorch-grad-cam 1.5.5, Integrated Gradients, SmoothGrad and the noise tunnel
/// around Grad-CAM against Captum's definitions coded in PyTorch (tests/reference/methods_reference.py), on three
/// classifier fixtures, K = 2 classes: every map to 1e-3 of its largest value.
/// </summary>
public class GradientMethodTests
{
    static Device D => TestDevice.Default;

    public static TheoryData<string> Names() => new("resnet_basic", "mobilenet_v2_025", "vgg_small");

    sealed record Reference(string Layer, int[] Classes, JsonElement Root)
    {
        public FixtureArray Array(params string[] path)
        {
            var e = Root;
            foreach (var p in path) e = e.GetProperty(p);
            return new(e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
                e.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }
    }

    static Reference Load(string name)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "methods", name + ".json"))).RootElement;
        return new(root.GetProperty("layer").GetString()!, root.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray(), root);
    }

    /// <summary>The maps of <paramref name="method"/> for the fixture's classes (at its layer, or "input").</summary>
    static HostCamMap Maps(Device device, string name, CamMethod method, CamRequest request)
    {
        var f = ClassifierFixture.Load(name);
        var r = Load(name);
        using var model = ClassifierModel.Build(device, ClassifierCheckpoint.Load(f.Weights));
        using var x = Tensor.FromArray(device, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        using var result = CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets(r.Classes),
            new CamRequest
            {
                Methods = [method], Layers = [r.Layer], IgSteps = request.IgSteps, SmoothSamples = request.SmoothSamples,
                SmoothSigma = request.SmoothSigma, Seed = request.Seed, EigenSmooth = request.EigenSmooth, AugSmooth = request.AugSmooth,
            });
        return result.Maps.Single().ToHost();
    }

    static void Compare(HostCamMap actual, FixtureArray expected, string what)
    {
        Assert.Equal(expected.Shape[1..], new[] { actual.Height, actual.Width });
        int n = actual.Height * actual.Width;
        double scale = expected.Data.Max(Math.Abs);
        Assert.True(scale > 0, $"{what}: an empty reference proves nothing");
        for (int k = 0; k < actual.Maps.Length; k++)
            Check.Close(actual.Maps[k], expected.Data.AsSpan(k * n, n), $"{what}, target {k}", 0, 1e-3 * scale);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FullGrad_matches_pytorch_grad_cam(string name)
    {
        var map = Maps(D, name, CamMethod.FullGrad, new CamRequest());
        Assert.Equal("input", map.Layer);
        Compare(map, Load(name).Array("fullgrad"), $"{name} fullgrad");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Integrated_gradients_match_captums_definition(string name) =>
        Compare(Maps(D, name, CamMethod.IntegratedGradients, new CamRequest { IgSteps = 8 }),
            Load(name).Array("integrated_gradients", "map"), $"{name} integrated gradients");

    [Theory]
    [MemberData(nameof(Names))]
    public void Smoothgrad_matches_captums_noise_tunnel_with_the_same_noise(string name) =>
        Compare(Maps(D, name, CamMethod.SmoothGrad, new CamRequest { SmoothSamples = 4, SmoothSigma = 0.15, Seed = 7 }),
            Load(name).Array("smoothgrad", "map"), $"{name} smoothgrad");

    [Theory]
    [MemberData(nameof(Names))]
    public void The_noise_tunnel_around_gradcam_matches_captums(string name) =>
        Compare(Maps(D, name, CamMethod.GradCam, new CamRequest { SmoothSamples = 4, SmoothSigma = 0.15, Seed = 7 }),
            Load(name).Array("smoothgrad", "gradcam"), $"{name} noise tunnel around Grad-CAM");

    [Theory]
    [InlineData("resnet_basic", "gradcam", CamMethod.GradCam)]
    [InlineData("resnet_basic", "layercam", CamMethod.LayerCam)]
    [InlineData("mobilenet_v2_025", "gradcam", CamMethod.GradCam)]
    [InlineData("mobilenet_v2_025", "layercam", CamMethod.LayerCam)]
    [InlineData("vgg_small", "gradcam", CamMethod.GradCam)]
    [InlineData("vgg_small", "layercam", CamMethod.LayerCam)]
    public void Eigen_smooth_matches_pytorch_grad_cam(string name, string key, CamMethod method) =>
        Compare(Maps(D, name, method, new CamRequest { EigenSmooth = true }), Load(name).Array("eigen_smooth", key), $"{name} {key} eigen_smooth");

    [Fact]
    public void Smoothgrad_is_the_same_on_both_cpu_backends_for_one_seed()
    {
        var request = new CamRequest { SmoothSamples = 2, Seed = 3 };
        var simd = Maps(TestDevice.Simd, "vgg_small", CamMethod.SmoothGrad, request);
        var ilgpu = Maps(TestDevice.IlgpuCpu, "vgg_small", CamMethod.SmoothGrad, request);
        double scale = simd.Maps.Max(m => m.Max());
        Assert.True(scale > 0, "empty maps prove nothing");
        for (int k = 0; k < simd.Maps.Length; k++)
            Check.Close(ilgpu.Maps[k], simd.Maps[k].Select(v => (double)v).ToArray(), $"target {k}", 0, 1e-5 * scale);
    }

    [Fact]
    public void The_noise_is_splitmix64s_published_sequence()
    {
        var noise = new NoiseStream(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL], new[] { noise.Next(), noise.Next(), noise.Next() });
    }

    [Fact]
    public void Gauss_legendre_matches_the_closed_form_rules()
    {
        var (t, w) = GaussLegendre.Standard(3);
        Check.Close(t.Select(v => (float)v).ToArray(), [-Math.Sqrt(0.6), 0, Math.Sqrt(0.6)], "nodes", 0, 1e-7);
        Check.Close(w.Select(v => (float)v).ToArray(), [5.0 / 9, 8.0 / 9, 5.0 / 9], "weights", 0, 1e-7);
        var (a, u) = GaussLegendre.UnitInterval(50);
        Assert.Equal(1.0, u.Sum(), 12); // ∫₀¹ 1 = 1
        Assert.Equal(1.0 / 3, a.Zip(u, (x, wi) => wi * x * x).Sum(), 12); // ∫₀¹ α² = 1/3
        Assert.True(a.SequenceEqual(a.Order()) && a[0] > 0 && a[^1] < 1);
    }

    [Theory]
    [InlineData("resnet_basic", CamMethod.GradCam, FusionRule.Mean, "mean_gradcam")]
    [InlineData("mobilenet_v2_025", CamMethod.GradCam, FusionRule.Mean, "mean_gradcam")]
    [InlineData("vgg_small", CamMethod.GradCam, FusionRule.Mean, "mean_gradcam")]
    [InlineData("resnet_basic", CamMethod.LayerCam, FusionRule.LayerCam, "layercam_layercam")]
    [InlineData("mobilenet_v2_025", CamMethod.LayerCam, FusionRule.LayerCam, "layercam_layercam")]
    [InlineData("vgg_small", CamMethod.LayerCam, FusionRule.LayerCam, "layercam_layercam")]
    public void Multi_layer_fusion_matches_pytorch_grad_cam_and_torchcam(string name, CamMethod method, FusionRule rule, string key)
    {
        var f = ClassifierFixture.Load(name);
        var r = Load(name);
        var layers = r.Root.GetProperty("fusion").GetProperty("layers").EnumerateArray().Select(l => l.GetString()!).ToArray();
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        using var result = CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets(r.Classes),
            new CamRequest { Methods = [method], Layers = layers });
        Assert.Equal(2, result.Maps.Count);
        using var fused = MapFusion.Fuse(result.Maps, x.Shape[2], x.Shape[3], rule);
        var expected = r.Array("fusion", key);
        Assert.Equal(expected.Shape, fused.Shape);
        double scale = expected.Data.Max(Math.Abs);
        Assert.True(scale > 0, "an empty reference proves nothing");
        Check.Close(fused.ToArray(), expected.Data, $"{name} {key}", 0, 1e-3 * scale);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Aug_smooth_matches_pytorch_grad_cam_with_ttach(string name)
    {
        var map = Maps(D, name, CamMethod.GradCam, new CamRequest { AugSmooth = true });
        Compare(map, Load(name).Array("aug_smooth", "gradcam"), $"{name} gradcam aug_smooth");
    }

    [Fact]
    public void Aug_smooth_refuses_targets_that_move_with_the_image()
    {
        using var model = new NativeCam.Tests.Cam.Core.ToyClassifier(D, seed: 1);
        using var input = Tensor.FromArray(D, new float[3 * 6 * 7], 1, 3, 6, 7);
        var e = Assert.Throws<ArgumentException>(() => CamEngine.Compute(new BoxAdapter(model), input,
            _ => new BoxTargets(), new CamRequest { Layers = ["conv2.act"], AugSmooth = true }));
        Assert.Contains("aug_smooth", e.Message);
    }

    // Targets that are not classes (a detector's boxes would be): one target, class 0's logit.
    sealed class BoxTargets : ICamTargets
    {
        public int Count => 1;
    }

    sealed class BoxAdapter(NativeCam.Tests.Cam.Core.ToyClassifier model) : ICamAdapter<BoxTargets>
    {
        readonly NativeCam.Tests.Cam.Core.ToyAdapter _toy = new(model);
        public NativeCam.Autograd.Var[] Forward(NativeCam.Autograd.Var input) => _toy.Forward(input);
        public string NormalizeLayer(string name) => name;
        public string LayerHint => _toy.LayerHint;
        public IReadOnlyList<string> DefaultLayers => _toy.DefaultLayers;
        public IReadOnlyList<string> TargetLayers(NativeCam.Autograd.Var[] outputs, BoxTargets targets) => ["conv2.act"];
        public IReadOnlyList<(NativeCam.Autograd.Var Output, Tensor Grad)> Seed(NativeCam.Autograd.Var[] outputs, BoxTargets targets) =>
            _toy.Seed(outputs, new ClassTargets([0]));
    }

    [Fact]
    public void FullGrad_on_yolov5n_matches_pytorch_grad_cams_arithmetic()
    {
        using var x = CamFixture.Input();
        using var result = new NativeCam.Cam.Yolo.YoloCam(CamFixture.Model).Compute(x, CamFixture.Targets(),
            new CamRequest { Methods = [CamMethod.FullGrad], Layers = CamFixture.Layers });
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder, "methods", "yolov5n_fullgrad.json"))).RootElement;
        Compare(result[CamMethod.FullGrad, "input"].ToHost(), new Reference("input", [], root).Array("fullgrad"), "yolov5n fullgrad");
    }
}
