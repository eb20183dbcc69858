using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Detectors;
using NativeCam.Detectors;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>
/// Per-box gradients of the tiny RetinaNet against autograd through torchvision's model (one backward per box in the
/// reference; here all boxes in one K-target sweep), at the pyramid level each box's anchor belongs to: the gradient's
/// channel sums and the Grad-CAM map to 1e-3 of their scale; the class logit and the sigmoid score as the score.
/// </summary>
public sealed class RetinaCamTests
{
    static (System.Text.Json.JsonElement[] Refs, RetinaNet Model, RetinaCamAdapter Adapter) Setup(RcnnScore score)
    {
        var refs = RetinaFixture.Json.GetProperty("gradients").EnumerateArray()
            .Where(g => g.GetProperty("score").GetString() == score.ToString().ToLowerInvariant()).ToArray();
        var model = RetinaNet.Load(TestDevice.Simd, RetinaFixture.StateDict, RetinaFixture.Options);
        var adapter = new RetinaCamAdapter(model, RcnnTransform.Apply(ImageLoader.Load(DetectorFixture.Bus), model.Options.Transform));
        return (refs, model, adapter);
    }

    static List<RetinaDetection> Picked(RetinaCamAdapter adapter, System.Text.Json.JsonElement[] refs) =>
        refs.Select(r => adapter.Pass!.Detections[r.GetProperty("detection").GetInt32()]).ToList();

    [Theory]
    [InlineData(RcnnScore.Logit)]
    [InlineData(RcnnScore.Prob)]
    public void GradCamPerBoxMatchesTorchvisionAutograd(RcnnScore score)
    {
        var (refs, model, adapter) = Setup(score);
        using (model)
        {
            using var x = adapter.InputTensor();
            using var result = CamEngine.Compute(adapter, x, _ => new RetinaTargets(Picked(adapter, refs), score), new CamRequest { Methods = [CamMethod.GradCam] });
            Assert.Equal(refs.Select(r => r.GetProperty("layer").GetString()), result.TargetLayers);
            for (int k = 0; k < refs.Length; k++)
            {
                var map = result[CamMethod.GradCam, result.TargetLayers[k]];
                var want = DetectorFixture.Data(refs[k].GetProperty("map"));
                Assert.Equal(want.Length, map.Height * map.Width);
                var got = map.Map.ToArray().AsSpan(k * want.Length, want.Length).ToArray();
                double scale = want.Max();
                Assert.True(scale > 0, "the reference map is empty");
                Check.Close(got, want, $"{score} Grad-CAM of detection {refs[k].GetProperty("detection")} at {result.TargetLayers[k]}", 0, 1e-3 * scale);
            }
        }
    }

    // The raw gradient of each box's score at its level (per-channel sums), all boxes in one sweep.
    [Fact]
    public void GradientAtTheBoxLevelMatchesTorchvisionAutograd()
    {
        var (refs, model, adapter) = Setup(RcnnScore.Logit);
        using (model)
        using (var x = adapter.InputTensor())
        using (var tape = new Tape())
        {
            tape.Watch([.. model.LevelNames]);
            var outputs = adapter.Forward(Var.Input(x));
            var targets = new RetinaTargets(Picked(adapter, refs));
            CamEngine.Backward(adapter, tape, outputs, targets);
            for (int k = 0; k < refs.Length; k++)
            {
                var level = tape.Named[refs[k].GetProperty("layer").GetString()!];
                var grad = level.Grad!.ToArray();
                int c = level.Shape[1], hw = level.Shape[2] * level.Shape[3];
                var sums = Enumerable.Range(0, c).Select(ch => (float)grad.AsSpan((k * c + ch) * hw, hw).ToArray().Sum(v => (double)v)).ToArray();
                var want = DetectorFixture.Data(refs[k].GetProperty("grad_sums"));
                Check.Close(sums, want, $"gradient channel sums of detection {refs[k].GetProperty("detection")}", 0, 1e-3 * want.Max(Math.Abs));
            }
        }
    }

    // The convenience path explains every kept detection, each at its own level; a P3 box's gradient reaches no other level's output.
    [Fact]
    public void ExplainGivesEveryDetectionAMapAtItsLevel()
    {
        using var model = RetinaNet.Load(TestDevice.Simd, RetinaFixture.StateDict, RetinaFixture.Options with { DetectionsPerImage = 12 });
        var (detections, _, maps) = RetinaCam.Explain(model, ImageLoader.Load(DetectorFixture.Bus));
        using (maps)
        {
            Assert.Equal(12, detections.Count);
            Assert.Equal(detections.Select(d => model.LevelNames[d.Level]), maps.TargetLayers);
            foreach (var layer in maps.TargetLayers.Distinct())
            {
                var m = maps[CamMethod.GradCam, layer].ToHost();
                for (int k = 0; k < detections.Count; k++)
                    if (maps.TargetLayers[k] == layer) Assert.False(m.Empty(k), $"detection {k} has an empty map at its level");
            }
        }
    }
}
