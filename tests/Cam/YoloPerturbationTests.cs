using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>
/// Score-CAM and Ablation-CAM on YOLOv5 (the 160×128 fixture): the scores read from a forward are the scores the seeds
/// differentiate (for a linear score, s_k = Σ seed_k · output: one cell, or the IoU-weighted sum over the box), and the
/// maps do not depend on the batch size.
/// </summary>
public class YoloPerturbationTests
{
    static Device D => TestDevice.Default;

    // The fixture's targets; for boxes, a 48×48 box centred on each target's cell.
    static YoloTargets Targets(CamScore score, TargetRegion region, IReadOnlyList<Var> outputs)
    {
        var cell = CamFixture.Targets(score);
        return new YoloTargets(cell.Items.Select(t =>
        {
            float stride = 160f / outputs[t.Level].Shape[2], cx = (t.GridX + 0.5f) * stride, cy = (t.GridY + 0.5f) * stride;
            return t with { InputBox = new Box(cx - 24, cy - 24, cx + 24, cy + 24) };
        }).ToArray(), score, region);
    }

    [Theory]
    [InlineData(CamScore.Logit, TargetRegion.Cell)]
    [InlineData(CamScore.Objectness, TargetRegion.Cell)]
    [InlineData(CamScore.Logit, TargetRegion.Box)]
    [InlineData(CamScore.Objectness, TargetRegion.Box)]
    public void The_scores_of_a_pass_are_the_scores_its_seeds_differentiate(CamScore score, TargetRegion region)
    {
        using var x = CamFixture.Input();
        var adapter = new YoloCamAdapter(CamFixture.Model);
        using var tape = new Tape();
        var outputs = adapter.Forward(Var.Input(x));
        var targets = Targets(score, region, outputs);
        var scores = adapter.Scores(outputs, targets);
        var seeds = adapter.Seed(outputs, targets);
        try
        {
            var expected = new double[targets.Count];
            foreach (var (output, grad) in seeds)
            {
                var o = output.Value.ToArray();
                var g = grad.ToArray();
                for (int k = 0; k < targets.Count; k++)
                    for (int i = 0; i < o.Length; i++) expected[k] += (double)g[k * o.Length + i] * o[i];
            }
            Assert.All(expected, e => Assert.NotEqual(0, e));
            Check.Close(scores.Select(v => (float)v).ToArray(), expected, $"{score} {region}", 1e-5, 1e-6);
        }
        finally { foreach (var (_, s) in seeds) s.Dispose(); }
    }

    [Theory]
    [InlineData(CamMethod.ScoreCam, TargetRegion.Box)]
    [InlineData(CamMethod.ScoreCam, TargetRegion.Cell)]
    [InlineData(CamMethod.AblationCam, TargetRegion.Box)]
    public void The_batch_size_does_not_change_the_maps(CamMethod method, TargetRegion region)
    {
        const string layer = "model.17.cv3.act";
        HostCamMap Maps(int batch)
        {
            using var x = CamFixture.Input();
            using var result = CamEngine.Compute(new YoloCamAdapter(CamFixture.Model), x, outputs => Targets(CamScore.Logit, region, outputs),
                new CamRequest { Layers = [layer], Methods = [method], BatchSize = batch });
            return result[method, layer].ToHost();
        }
        var one = Maps(1);
        var many = Maps(16);
        var auto = Maps(0);
        double scale = one.Maps.Max(m => m.Max());
        Assert.True(scale > 0, "empty maps prove nothing");
        for (int k = 0; k < one.Maps.Length; k++)
        {
            Check.Close(many.Maps[k], one.Maps[k].Select(v => (double)v).ToArray(), $"batch 16, target {k}", 0, 1e-5 * scale);
            Check.Close(auto.Maps[k], one.Maps[k].Select(v => (double)v).ToArray(), $"auto batch, target {k}", 0, 1e-5 * scale);
        }
    }
}
