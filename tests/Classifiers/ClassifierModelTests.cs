using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Classifiers;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// Real torchvision 0.14 classifiers at small widths (tests/reference/classifiers_reference.py): the architecture
/// inferred from the state dict, the logits (1e-4 of their largest magnitude), and Grad-CAM from one K = 2 sweep
/// against pytorch-grad-cam 1.5.5 itself: each layer's raw map to 1e-3 of its largest value, the final aggregated map
/// (min–max, cv2 bilinear resize, mean over layers, min–max) to 1e-2.
/// </summary>
public class ClassifierModelTests
{
    static Device D => TestDevice.Default;

    public static TheoryData<string> Names => new(ClassifierFixture.Names);

    static void CloseToScale(float[] actual, double[] expected, string what, double rel)
    {
        double scale = Math.Max(expected.Max(Math.Abs), 1e-12);
        Check.Close(actual, expected, what, 0, rel * scale);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Architecture_is_inferred_from_keys_and_shapes(string name)
    {
        var f = ClassifierFixture.Load(name);
        var arch = ClassifierCheckpoint.Load(f.Weights).Arch;
        string family = f.Facts.GetProperty("family").GetString()!;
        Assert.Equal(family, ClassifierArch.FamilyName(arch.Family));
        Assert.Equal(f.Classes, arch.Classes);
        if (f.Facts.TryGetProperty("name", out var torchvisionName)) Assert.Equal(torchvisionName.GetString(), arch.Name);
        if (f.Facts.TryGetProperty("layers", out var layers))
            Assert.Contains($"[{string.Join(", ", layers.EnumerateArray().Select(e => e.GetInt32()))}]", arch.Description);
        if (f.Facts.TryGetProperty("block", out var block))
            Assert.StartsWith(block.GetString() == "basic" ? "BasicBlock" : "Bottleneck", arch.Description);
        if (f.Facts.TryGetProperty("groups", out var groups)) Assert.Contains($"groups {groups.GetInt32()}", arch.Description);
        if (f.Facts.TryGetProperty("batch_norm", out var bn)) Assert.Equal(bn.GetBoolean(), arch.Description.Contains("BatchNorm"));
        if (f.Facts.TryGetProperty("growth_rate", out var g)) Assert.Contains($"growth {g.GetInt32()}", arch.Description);
        if (f.Facts.TryGetProperty("block_config", out var bc))
            Assert.Contains($"blocks [{string.Join(", ", bc.EnumerateArray().Select(e => e.GetInt32()))}]", arch.Description);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Logits_match_torchvision(string name)
    {
        var f = ClassifierFixture.Load(name);
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        using var tape = new Tape();
        var logits = model.Forward(Var.Input(x));
        Assert.Equal([1, f.Classes], logits.Shape);
        CloseToScale(logits.Value.ToArray(), f.Logits.Data, $"{name} logits", 1e-4);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GradCam_matches_pytorch_grad_cam(string name)
    {
        var f = ClassifierFixture.Load(name);
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        var adapter = new ClassifierCamAdapter(model);
        using var x = Tensor.FromArray(D, f.Input.Data.Select(v => (float)v).ToArray(), f.Input.Shape);
        int h = f.Input.Shape[2], w = f.Input.Shape[3];
        foreach (var c in f.Cases)
        {
            using var result = CamEngine.Compute(adapter, x, _ => new ClassTargets(c.Classes), new CamRequest { Layers = c.Layers });
            var host = c.Layers.Select(l => result[CamMethod.GradCam, l].ToHost()).ToArray();
            for (int i = 0; i < c.Layers.Length; i++)
            {
                var expected = c.Raw[c.Layers[i]];
                Assert.Equal(expected.Shape[1..], new[] { host[i].Height, host[i].Width });
                int n = host[i].Height * host[i].Width;
                for (int k = 0; k < c.Classes.Length; k++)
                    CloseToScale(host[i].Maps[k], expected.Data.AsSpan(k * n, n).ToArray(), $"{name} {c.Layers[i]} class {c.Classes[k]} raw", 1e-3);
            }
            for (int k = 0; k < c.Classes.Length; k++)
            {
                var final = MapAggregation.Final(host.Select(m => (m.Maps[k], m.Height, m.Width)).ToArray(), h, w);
                Check.Close(final, c.Final.Data.AsSpan(k * h * w, h * w), $"{name} [{string.Join(", ", c.Layers)}] class {c.Classes[k]} final", 0, 1e-2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Default_layer_is_the_first_case_pytorch_grad_cam_documents(string name)
    {
        var f = ClassifierFixture.Load(name);
        using var model = ClassifierModel.Build(D, ClassifierCheckpoint.Load(f.Weights));
        Assert.Equal(f.Cases[0].Layers[0], model.DefaultLayer);
    }
}
