using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Classifiers;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Score-CAM and Ablation-CAM beyond the pytorch-grad-cam comparison (ClassifierMethodTests): Score-CAM's masks against a
/// float64 evaluation of their definition and bit-identical on both backends; the same maps from the SIMD CPU backend and
/// ILGPU's CPU accelerator; the same maps whatever the batch size; batched classifier forwards equal to one image at a
/// time (the perturbed inputs run as one batch); families without batch scores and bad batch sizes refused.
/// </summary>
public class PerturbationCamTests
{
    static Device D => TestDevice.Default;

    static (ClassifierModel Model, Tensor Input) Load(Device device, string name)
    {
        var f = ClassifierFixture.Load(name);
        return (ClassifierModel.Build(device, ClassifierCheckpoint.Load(f.Weights)),
            Tensor.FromArray(device, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape));
    }

    static HostCamMap ScoreMaps(Device device, string name, string layer, int batch, CamMethod method = CamMethod.ScoreCam)
    {
        var (model, x) = Load(device, name);
        using (model)
        using (x)
        {
            using var result = CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets([0, 2]),
                new CamRequest { Layers = [layer], Methods = [method], BatchSize = batch });
            return result[method, layer].ToHost();
        }
    }

    // The aligned-corner resize of a plane (PyTorch's UpsamplingBilinear2d), in float64.
    static double Corner(float[] a, int at, int h, int w, int outH, int outW, int y, int x)
    {
        double sy = outH > 1 ? y * (h - 1.0) / (outH - 1) : 0, sx = outW > 1 ? x * (w - 1.0) / (outW - 1) : 0;
        int y0 = Math.Min((int)sy, h - 1), x0 = Math.Min((int)sx, w - 1), y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
        double fy = sy - y0, fx = sx - x0;
        double top = a[at + y0 * w + x0] * (1 - fx) + a[at + y0 * w + x1] * fx;
        double bottom = a[at + y1 * w + x0] * (1 - fx) + a[at + y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    static float[] Masks(Device device, float[] image, float[] a, int c, int h, int w, int outH, int outW, int first, int count)
    {
        var kernels = CamKernels.For(device);
        using var img = Tensor.FromArray(device, image, [1, 3, outH, outW]);
        using var act = Tensor.FromArray(device, a, [1, c, h, w]);
        using var range = Tensor.Empty(device, c, 2);
        using var masked = Tensor.Empty(device, count, 3, outH, outW);
        kernels.UpsampledRange(act, outH, outW, range);
        kernels.ScoreMasks(img, act, first, range, masked);
        return masked.ToArray();
    }

    [Theory]
    [InlineData(5, 2, 2, 17, 13, 1, 3)]
    [InlineData(4, 7, 5, 32, 24, 0, 4)]
    [InlineData(3, 1, 1, 8, 8, 2, 1)]
    [InlineData(2, 6, 4, 6, 4, 0, 2)]
    public void Masks_are_the_normalised_aligned_corner_resize_times_the_image_on_both_backends(int c, int h, int w, int outH, int outW, int first, int count)
    {
        var rng = new Rng(c * 100 + h);
        var image = rng.Uniform(3 * outH * outW, -2, 2).Select(v => (float)v).ToArray();
        var a = rng.Uniform(c * h * w, -0.5, 3).Select(v => (float)v).ToArray();
        var simd = Masks(TestDevice.Simd, image, a, c, h, w, outH, outW, first, count);
        var ilgpu = Masks(TestDevice.IlgpuCpu, image, a, c, h, w, outH, outW, first, count);
        Assert.Equal(ilgpu, simd); // same arithmetic, operation for operation
        int plane = outH * outW;
        var expected = new double[count * 3 * plane];
        for (int b = 0; b < count; b++)
        {
            int at = (first + b) * h * w;
            var up = Enumerable.Range(0, plane).Select(p => Corner(a, at, h, w, outH, outW, p / outW, p % outW)).ToArray();
            double lo = up.Min(), hi = up.Max();
            for (int ch = 0; ch < 3; ch++)
                for (int p = 0; p < plane; p++) expected[(b * 3 + ch) * plane + p] = image[ch * plane + p] * (up[p] - lo) / (hi - lo + 1e-8);
        }
        Check.Close(simd, expected, "masks", 1e-5, 1e-5);
    }

    [Theory]
    [InlineData("resnet_basic", "layer3", CamMethod.ScoreCam)]
    [InlineData("vgg_small", "features.13", CamMethod.ScoreCam)]
    [InlineData("alexnet_small", "features.12", CamMethod.ScoreCam)]
    [InlineData("resnet_basic", "layer3.0.relu", CamMethod.AblationCam)] // inside a block: the residual path meets the ablated value
    [InlineData("densenet_small", "features.transition2", CamMethod.AblationCam)]
    [InlineData("vgg_small", "features.7", CamMethod.AblationCam)]
    public void The_batch_size_does_not_change_the_maps(string name, string layer, CamMethod method)
    {
        var one = ScoreMaps(D, name, layer, 1, method);
        var many = ScoreMaps(D, name, layer, 7, method);
        var all = ScoreMaps(D, name, layer, 0, method); // from the memory budget: every channel in one batch at this size
        Assert.True(one.Maps.Any(m => m.Max() > 0), $"{name}: empty maps prove nothing");
        for (int k = 0; k < 2; k++)
        {
            double scale = Math.Max(one.Maps.Max(m => m.Max()), 1e-12);
            Check.Close(many.Maps[k], one.Maps[k].Select(v => (double)v).ToArray(), $"{name} batch 7, target {k}", 0, 1e-5 * scale);
            Check.Close(all.Maps[k], one.Maps[k].Select(v => (double)v).ToArray(), $"{name} auto batch, target {k}", 0, 1e-5 * scale);
        }
    }

    [Theory]
    [InlineData(CamMethod.ScoreCam)]
    [InlineData(CamMethod.AblationCam)]
    public void The_simd_cpu_backend_and_ilgpus_cpu_accelerator_give_the_same_map(CamMethod method)
    {
        var simd = ScoreMaps(TestDevice.Simd, "resnet_basic", "layer4", 4, method);
        var ilgpu = ScoreMaps(TestDevice.IlgpuCpu, "resnet_basic", "layer4", 4, method);
        double scale = ilgpu.Maps.Max(m => m.Max());
        Assert.True(scale > 0, "empty maps prove nothing");
        for (int k = 0; k < 2; k++)
        {
            Check.Close(simd.Maps[k], ilgpu.Maps[k].Select(v => (double)v).ToArray(), $"target {k}", 0, 1e-5 * scale);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void A_batched_classifier_forward_equals_one_image_at_a_time(string name)
    {
        var (model, x) = Load(D, name);
        using (model)
        using (x)
        {
            var image = x.ToArray();
            var second = image.Select(v => -0.5f * v + 0.1f).ToArray();
            using var pair = Tensor.FromArray(D, [.. image, .. second], [2, .. x.Shape[1..]]);
            using var secondTensor = Tensor.FromArray(D, second, x.Shape);
            float[] Logits(Tensor input)
            {
                using var tape = new Tape { Inference = true };
                return model.Forward(Var.Input(input)).Value.ToArray();
            }
            var both = Logits(pair);
            var expected = Logits(x).Concat(Logits(secondTensor)).Select(v => (double)v).ToArray();
            Check.Close(both, expected, name, 1e-5, 1e-5);
        }
    }

    public static TheoryData<string> FixtureNames() => new(ClassifierFixture.Names);

    [Fact]
    public void A_negative_batch_size_is_refused()
    {
        var (model, x) = Load(D, "resnet_basic");
        using (model)
        using (x)
        {
            var e = Assert.Throws<ArgumentException>(() => CamEngine.Compute(new ClassifierCamAdapter(model), x, _ => new ClassTargets([0]),
                new CamRequest { Layers = ["layer4"], Methods = [CamMethod.ScoreCam], BatchSize = -1 }));
            Assert.Contains("BatchSize", e.Message);
        }
    }

    [Theory]
    [InlineData(CamMethod.ScoreCam, "scorecam")]
    [InlineData(CamMethod.AblationCam, "ablationcam")]
    public void A_family_without_batch_scores_is_refused(CamMethod method, string name)
    {
        using var model = new NativeCam.Tests.Cam.Core.ToyClassifier(D, seed: 1);
        using var input = Tensor.FromArray(D, new float[3 * 6 * 7], 1, 3, 6, 7);
        var e = Assert.Throws<ArgumentException>(() => CamEngine.Compute(new NativeCam.Tests.Cam.Core.ToyAdapter(model), input,
            _ => new ClassTargets([0]), new CamRequest { Layers = ["conv2.act"], Methods = [method] }));
        Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData(0, 1000, 64)]
    [InlineData(0, 1L << 28, 4)]
    [InlineData(0, 1L << 32, 1)]
    [InlineData(3, 1L << 32, 3)]
    public void The_automatic_batch_fits_the_memory_budget(int requested, long forwardBytes, int expected) =>
        Assert.Equal(expected, new CamRequest { BatchSize = requested }.PerturbationBatch(forwardBytes));

    [Fact]
    public void Ablation_weights_are_the_relative_score_drop_and_zero_where_the_score_is_zero()
    {
        var w = AblationCam.Weights([2.0, 0.0], new double[,] { { 1.5, 2.5 }, { 0.3, -1 } });
        Assert.Equal([0.25f, -0.25f, 0f, 0f], w);
    }
}
