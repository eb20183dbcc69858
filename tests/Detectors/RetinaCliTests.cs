using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>detect and detect-cam on the tiny torchvision RetinaNet file: the family is read from the file
/// (layers and the one-line errors: <see cref="TorchvisionCliTests"/>).</summary>
public sealed class RetinaCliTests
{
    [Fact]
    public void DetectCamWritesOverlaysSheetReportAndMaps() =>
        TorchvisionCli.DetectCam(RetinaFixture.StateDict, "nativecam-retina-", (folder, root) =>
        {
            Assert.Equal("prob", root.GetProperty("score").GetString());
            Assert.Equal("retinanet (custom ResNet-FPN)", root.GetProperty("family").GetString());
            var dets = root.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(RetinaFixture.Ints("anchor").Take(3), dets.Select(d => d.GetProperty("anchor").GetInt32()));
            var maps = root.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(3, maps.Length); // auto: each detection at its own level only
            foreach (var m in maps)
            {
                Assert.Equal("backbone.fpn.layer_blocks.0.0", m.GetProperty("layer").GetString()); // the first three boxes are P3's
                TorchvisionCli.AssertMapFiles(folder, m);
            }
        });

    [Fact]
    public void DetectPrintsTorchvisionsDetections()
    {
        var dets = TorchvisionCli.Detect(RetinaFixture.StateDict);
        Assert.Equal(RetinaFixture.Ints("labels").Take(5), dets.Select(d => d.GetProperty("label").GetInt32()));
        var scores = RetinaFixture.Data("scores");
        for (int i = 0; i < 5; i++) Assert.Equal(scores[i], dets[i].GetProperty("score").GetDouble(), 1e-4);
    }
}
