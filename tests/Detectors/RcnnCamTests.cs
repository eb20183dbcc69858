using NativeCam.Cam;
using NativeCam.Cam.Detectors;
using NativeCam.Detectors;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>
/// Per-box Grad-CAM of the tiny Faster R-CNN against autograd through torchvision's model (one backward per box in
/// the reference; here all boxes in one K-target sweep), at the FPN level each box's proposal was pooled from, to
/// 1e-3 of each map's scale; the class logit and the softmax probability as the score.
/// </summary>
public sealed class RcnnCamTests
{
    [Theory]
    [InlineData(RcnnScore.Logit)]
    [InlineData(RcnnScore.Prob)]
    public void GradCamPerBoxMatchesTorchvisionAutograd(RcnnScore score)
    {
        var refs = DetectorFixture.Json.GetProperty("gradcam").EnumerateArray()
            .Where(g => g.GetProperty("score").GetString() == score.ToString().ToLowerInvariant()).ToArray();
        using var model = FasterRcnn.Load(TestDevice.Simd, DetectorFixture.StateDict, DetectorFixture.Options);
        var input = RcnnTransform.Apply(ImageLoader.Load(DetectorFixture.Bus), model.Options);
        var adapter = new RcnnCamAdapter(model, input);
        using var x = adapter.InputTensor();
        using var result = CamEngine.Compute(adapter, x,
            _ => new RcnnTargets(adapter.Pass!.Detections.Take(refs.Length).ToList(), score), new CamRequest { Methods = [CamMethod.GradCam] });
        Assert.Equal(refs.Select(r => r.GetProperty("layer").GetString()), result.TargetLayers);
        for (int k = 0; k < refs.Length; k++)
        {
            var map = result[CamMethod.GradCam, result.TargetLayers[k]];
            var want = DetectorFixture.Data(refs[k].GetProperty("map"));
            var shape = refs[k].GetProperty("map").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, new[] { map.Height, map.Width });
            var got = map.Map.ToArray().AsSpan(k * want.Length, want.Length).ToArray();
            double scale = want.Max();
            Assert.True(scale > 0, "the reference map is empty");
            Check.Close(got, want, $"{score} Grad-CAM of detection {k} at {result.TargetLayers[k]}", 0, 1e-3 * scale);
        }
    }

    // The convenience path explains every kept detection; a box's gradient reaches only its own level.
    [Fact]
    public void ExplainGivesOneMapPerDetectionAtItsLevel()
    {
        using var model = FasterRcnn.Load(TestDevice.Simd, DetectorFixture.StateDict, DetectorFixture.Options);
        var (detections, _, maps) = RcnnCam.Explain(model, ImageLoader.Load(DetectorFixture.Bus));
        using (maps)
        {
            Assert.Equal(DetectorFixture.Ints("labels").Length, detections.Count);
            Assert.Equal(detections.Count, maps.TargetLayers.Count);
            foreach (var layer in maps.TargetLayers.Distinct())
            {
                var m = maps[CamMethod.GradCam, layer].ToHost();
                for (int k = 0; k < detections.Count; k++)
                    Assert.Equal(maps.TargetLayers[k] == layer, !m.Empty(k));
            }
        }
    }
}
