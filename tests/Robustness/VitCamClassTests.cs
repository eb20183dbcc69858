using NativeCam.Cli;
using NativeCam.Cli.Output;
using NativeCam.Cam.Vit;
using NativeCam.Cli.Reports;
using NativeCam.Tests.Weights;
using NativeCam.Vit;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>vit-cam explains any class the user names, not only one of the top five it reports.</summary>
public class VitCamClassTests
{
    [Fact]
    public void AClassOutsideTheTopFiveIsExplainedAndReportedWithItsProbability()
    {
        var device = TestDevice.Simd;
        using var model = VitModel.Build(device, VitRandomWeights.Checkpoint(new VitConfig(32, 8, 1, 2, 16, 32, 20), seed: 3));
        using var t = new TempFolder();
        string image = Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
        VitCamReport Run(string? cls)
        {
            var settings = new VitCamSettings("random.pt", VitMethod.GradCam, cls, HeadFusion.Mean, 0, null, t.Path, false, 0.3,
                NativeCam.Imaging.ImageLoader.DefaultMaxPixels);
            using var staging = new StagingArea(t.Path);
            return new VitCamJob(device, model, settings).Run(image, null, staging);
        }

        var top = Run(null);
        int lowest = Enumerable.Range(0, 20).Except(top.Logits.Select(l => l.ClassId)).First();
        var report = Run(lowest.ToString());

        Assert.Equal(lowest, report.ClassId);
        Assert.DoesNotContain(report.Logits, l => l.ClassId == lowest);
        Assert.InRange(report.ClassProbability, 0, top.Logits[^1].Probability);
        Assert.True(report.ClassProbability > 0);
        Assert.Equal("bus", report.Output);
        Assert.True(File.Exists(Path.Combine(t.Path, "bus", "report.json")));
    }
}
