using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>detect and detect-cam on the tiny torchvision Faster R-CNN file: the family is read from the file
/// (layers and the one-line errors: <see cref="TorchvisionCliTests"/>).</summary>
public sealed class RcnnCliTests
{
    [Fact]
    public void DetectCamWritesOverlaysSheetReportAndMaps() =>
        TorchvisionCli.DetectCam(DetectorFixture.TrainingCheckpoint, "nativecam-frcnn-", (folder, root) =>
        {
            Assert.Equal("prob", root.GetProperty("score").GetString());
            Assert.Equal(3, root.GetProperty("detections").GetArrayLength());
            var maps = root.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(3, maps.Length); // auto: each detection at its own FPN level only
            foreach (var m in maps)
            {
                Assert.StartsWith("backbone.fpn.layer_blocks.", m.GetProperty("layer").GetString());
                TorchvisionCli.AssertMapFiles(folder, m);
            }
        });

    [Fact]
    public void DetectPrintsTorchvisionsDetections()
    {
        var dets = TorchvisionCli.Detect(DetectorFixture.StateDict);
        Assert.Equal(5, dets.Length);
        Assert.All(dets, d => Assert.Equal("class 1", d.GetProperty("class_name").GetString()));
    }
}
