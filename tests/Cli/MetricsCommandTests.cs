using System.Text.Json;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`nativecam metrics`, the study runner of docs/cam-defaults.md, as a user runs it.</summary>
public class MetricsCommandTests
{
    [Fact]
    public void TheDefaultLocalisesBetterThanTheOldOneOnZidane()
    {
        var run = CliProcess.RunIn(Yolo.YoloFixture.RepoRoot(), TimeSpan.FromMinutes(3), "metrics", "samples/zidane.jpg",
            "--methods", "layercam,gradcam", "--layers", "auto,fuse:model.17+model.20+model.23", "--scores", "logit",
            "--regions", "cell,box", "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = JsonDocument.Parse(run.StdOut).RootElement.EnumerateArray().ToArray();
        Assert.Equal(8, rows.Length); // 2 methods × 2 layer specs × 1 score × 2 regions
        JsonElement Row(string method, string layer, string region) => rows.Single(r => r.GetProperty("method").GetString() == method
            && r.GetProperty("layer").GetString() == layer && r.GetProperty("region").GetString() == region);
        foreach (var r in rows)
        {
            Assert.Equal(3, r.GetProperty("detections").GetInt32());
            Assert.Equal(3, r.GetProperty("per_detection").GetArrayLength());
            Assert.InRange(r.GetProperty("energy_in_box").GetDouble(), 0, 1);
            Assert.InRange(r.GetProperty("localisation_iou").GetDouble(), 0, 1);
        }
        var old = Row("gradcam", "auto", "cell");
        var chosen = Row("layercam", "fuse:model.17+model.20+model.23", "box");
        Assert.True(chosen.GetProperty("energy_in_box").GetDouble() > old.GetProperty("energy_in_box").GetDouble());
        Assert.True(chosen.GetProperty("localisation_iou").GetDouble() > old.GetProperty("localisation_iou").GetDouble());
        Assert.Equal(3, chosen.GetProperty("pointing_hits").GetInt32());
        Assert.Equal(0, chosen.GetProperty("like_another").GetInt32());
    }
}
