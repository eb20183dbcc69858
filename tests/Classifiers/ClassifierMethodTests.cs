using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Classifiers;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Grad-CAM element-wise, the original CAM, Score-CAM and Ablation-CAM through the family-free core against pytorch-grad-cam 1.5.5
/// (GradCAMElementWise, BaseCAM with the Linear head's rows as channel weights: tests/reference/classifiers_reference.py;
/// ScoreCAM and AblationCAM on three fixtures: tests/reference/classifiers_perturb_reference.py),
/// K = 2 classes from one forward (and, for element-wise, one backward sweep): each layer's raw map to 1e-3 of its
/// largest value. The original CAM is refused where the head is not a global average pool and one Linear layer.
/// </summary>
public class ClassifierMethodTests
{
    static Device D => TestDevice.Default;

    static readonly Dictionary<string, CamMethod> Methods = new()
    {
        ["gradcam-elementwise"] = CamMethod.GradCamElementWise, ["cam"] = CamMethod.Cam, ["scorecam"] = CamMethod.ScoreCam, ["ablationcam"] = CamMethod.AblationCam,
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ClassifierFixture.Names)
            foreach (var method in ClassifierFixture.Load(name).Methods.Keys) data.Add(name, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Method_matches_pytorch_grad_cam(string name, string method)
    {
        var f = ClassifierFixture.Load(name);
        var c = f.Methods[method];
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        using var result = CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets(c.Classes),
            new CamRequest { Layers = c.Layers, Methods = [Methods[method]] });
        foreach (var layer in c.Layers)
        {
            var host = result[Methods[method], layer].ToHost();
            var expected = c.Raw[layer];
            Assert.Equal(expected.Shape[1..], new[] { host.Height, host.Width });
            int n = host.Height * host.Width;
            for (int k = 0; k < c.Classes.Length; k++)
            {
                var e = expected.Data.AsSpan(k * n, n).ToArray();
                Check.Close(host.Maps[k], e, $"{name} {method} {layer} class {c.Classes[k]}", 0, 1e-3 * Math.Max(e.Max(), 1e-12));
            }
        }
    }

    // Not DenseNet: its features.norm5 holds the ReLU'd values (in-place F.relu) but receives the gradient of the
    // BatchNorm output, masked where the ReLU clipped, so Grad-CAM's mean gradient is not the Linear row / h·w there.
    [Theory]
    [InlineData("resnet_basic", "layer4")]
    [InlineData("mobilenet_v2_025", "features.18")]
    public void Original_cam_is_grad_cam_times_the_pooled_area_where_the_head_is_gap_linear(string name, string layer)
    {
        var f = ClassifierFixture.Load(name);
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        Assert.Equal(layer, model.PooledLinearHead!.Value.Layer);
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        using var result = CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets([0, 1]),
            new CamRequest { Layers = [layer], Methods = [CamMethod.Cam, CamMethod.GradCam] });
        var cam = result[CamMethod.Cam, layer].ToHost();
        var grad = result[CamMethod.GradCam, layer].ToHost();
        int area = cam.Height * cam.Width;
        for (int k = 0; k < 2; k++)
        {
            var expected = grad.Maps[k].Select(v => (double)v * area).ToArray();
            Check.Close(cam.Maps[k], expected, $"{name} class {k}", 0, 1e-4 * Math.Max(expected.Max(), 1e-12));
        }
    }

    [Theory]
    [InlineData("vgg_small", "features.13", "head is not")]
    [InlineData("mobilenet_v3_small", "features.12", "head is not")]
    [InlineData("resnet_basic", "layer3", "weights the channels of layer4")]
    public void Original_cam_is_refused_without_a_gap_linear_head_or_at_another_layer(string name, string layer, string message)
    {
        var f = ClassifierFixture.Load(name);
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        var e = Assert.Throws<ArgumentException>(() => CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets([0]),
            new CamRequest { Layers = [layer], Methods = [CamMethod.Cam] }));
        Assert.Contains(message, e.Message);
    }
}
