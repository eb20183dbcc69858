using System.Reflection;
using NativeCam.Cam;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Cam.Core;

/// <summary>
/// The CAM core works for a model family it has never heard of: a toy classifier built on src/Layers with a
/// ten-line adapter gets Grad-CAM from <see cref="CamEngine"/> equal to a float64 Grad-CAM computed by hand. And the
/// core's assembly references no model family.
/// </summary>
public sealed class CamCoreTests
{
    const int H = 6, W = 7;

    static Device D => TestDevice.Default;

    [Fact]
    public void ToyClassifierGradCamMatchesFloat64ByHand()
    {
        using var model = new ToyClassifier(D, seed: 1);
        var random = new Random(7);
        var data = Enumerable.Range(0, 3 * H * W).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var input = Tensor.FromArray(D, data, 1, 3, H, W);
        int[] classes = [2, 0, 1];

        using var result = CamEngine.Compute(new ToyAdapter(model), input, _ => new ClassTargets(classes),
            new CamRequest { Layers = [CamRequest.Auto, "conv1.act"] });

        Assert.Equal(["conv2.act", "conv2.act", "conv2.act"], result.TargetLayers);
        Assert.Equal(["conv2.act", "conv1.act"], result.Maps.Select(m => m.Layer));
        var reference = new ToyReference(model, data, H, W);
        var conv2 = result[CamMethod.GradCam, "conv2.act"].ToHost();
        var conv1 = result[CamMethod.GradCam, "conv1.act"].ToHost();
        for (int k = 0; k < classes.Length; k++)
        {
            Close(reference.GradCam(reference.A2, reference.GradientA2(classes[k]), ToyClassifier.Out), conv2.Maps[k], $"conv2.act, class {classes[k]}");
            Close(reference.GradCam(reference.A1, reference.GradientA1(classes[k]), ToyClassifier.Mid), conv1.Maps[k], $"conv1.act, class {classes[k]}");
        }
    }

    [Fact]
    public void CamCoreReferencesNoModelFamily()
    {
        var seen = new HashSet<string>();
        var pending = new Queue<AssemblyName>([typeof(CamEngine).Assembly.GetName()]);
        while (pending.TryDequeue(out var name))
        {
            if (!name.Name!.StartsWith("NativeCam", StringComparison.Ordinal) || !seen.Add(name.Name)) continue;
            foreach (var r in Assembly.Load(name).GetReferencedAssemblies()) pending.Enqueue(r);
        }
        Assert.Contains("NativeCam.Autograd", seen);
        Assert.Contains("NativeCam.Imaging", seen);
        Assert.DoesNotContain(seen, n => n.StartsWith("NativeCam.Yolo", StringComparison.Ordinal) || n.StartsWith("NativeCam.Vit", StringComparison.Ordinal));
    }

    // Float32 engine vs float64 reference: 1e-4 of the map's scale plus 1e-5.
    static void Close(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max();
        Assert.True(scale > 0, $"{what}: the reference map is all zero, the test would prove nothing");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale + 1e-5, $"{what}: pixel {i} is {actual[i]}, expected {expected[i]}");
    }
}
