using NativeCam.Cam;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Cam.Core;

/// <summary>
/// Summed targets (detect-cam's --target-mode sum-class) through the family-free <see cref="GroupedAdapter{TTargets}"/>:
/// on the toy classifier, the Grad-CAM of a group equals a float64 Grad-CAM of the summed gradients by hand (the
/// score is a sum, so is its gradient), each group's layer is its first member's, and batched scores add up.
/// </summary>
public sealed class GroupedTargetsTests
{
    const int H = 6, W = 7;

    [Fact]
    public void A_groups_grad_cam_is_that_of_its_members_summed_score()
    {
        var device = TestDevice.Default;
        using var model = new ToyClassifier(device, seed: 3);
        var random = new Random(11);
        var data = Enumerable.Range(0, 3 * H * W).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var input = Tensor.FromArray(device, data, 1, 3, H, W);
        int[][] groups = [[0, 2], [1]];
        var adapter = new GroupedAdapter<ClassTargets>(new ToyAdapter(model));

        using var result = CamEngine.Compute(adapter, input, _ => new GroupedTargets<ClassTargets>(new ClassTargets([2, 0, 1]), groups),
            new CamRequest { Layers = ["conv2.act"] });

        Assert.Equal(["conv2.act", "conv2.act"], result.TargetLayers);
        var maps = result[CamMethod.GradCam, "conv2.act"].ToHost();
        var reference = new ToyReference(model, data, H, W);
        double[] Sum(params int[] classes) => classes.Select(reference.GradientA2).Aggregate((a, b) => a.Zip(b, (x, y) => x + y).ToArray());
        var expected = new[] { reference.GradCam(reference.A2, Sum(2, 1), ToyClassifier.Out), reference.GradCam(reference.A2, Sum(0), ToyClassifier.Out) };
        for (int k = 0; k < 2; k++)
        {
            double scale = expected[k].Max();
            Assert.True(scale > 0, $"group {k}: an all-zero reference proves nothing");
            for (int i = 0; i < expected[k].Length; i++)
                Assert.True(Math.Abs(expected[k][i] - maps.Maps[k][i]) <= 1e-4 * scale + 1e-5, $"group {k} pixel {i}: {maps.Maps[k][i]} vs {expected[k][i]}");
        }
    }

    [Fact]
    public void Batched_scores_are_the_members_scores_summed()
    {
        var inner = new SummingScores();
        var grouped = new GroupedAdapter<ClassTargets>(inner);
        // Two images, members [class 4, class 1, class 3]: scores 10·b + class.
        var s = grouped.Scores([], new GroupedTargets<ClassTargets>(new ClassTargets([4, 1, 3]), [[0, 2], [1]]));
        Assert.Equal([4 + 3, 1, 10 + 4 + 10 + 3, 10 + 1], s);
    }

    sealed class SummingScores : ICamAdapter<ClassTargets>, ICamScores<ClassTargets>
    {
        public Autograd.Var[] Forward(Autograd.Var input) => throw new NotSupportedException();
        public string NormalizeLayer(string name) => name;
        public string LayerHint => "";
        public IReadOnlyList<string> DefaultLayers => [];
        public IReadOnlyList<string> TargetLayers(Autograd.Var[] outputs, ClassTargets targets) => [];
        public IReadOnlyList<(Autograd.Var Output, Tensor Grad)> Seed(Autograd.Var[] outputs, ClassTargets targets) => [];
        public double[] Scores(Autograd.Var[] outputs, ClassTargets targets) =>
            [.. Enumerable.Range(0, 2).SelectMany(b => targets.ClassIds.Select(c => 10.0 * b + c))];
    }
}
