using Xunit;

namespace NativeCam.Tests.Api;

/// <summary>The facade picks the detector family from the file and explains every detection, YOLOv5 and YOLOv8 alike.</summary>
public class ExplainerTests
{
    static string Root => Yolo.YoloFixture.RepoRoot();

    [Theory]
    [InlineData("samples/yolov5n.pt", NativeCam.ModelFamily.Yolov5, 5)]
    [InlineData("tests/fixtures/yolov8/yolov8t.pt", NativeCam.ModelFamily.Yolov8, 0)]
    public void EachDetectionGetsAMapAtTheImagesSize(string weights, NativeCam.ModelFamily family, int expected)
    {
        using var explainer = NativeCam.Explainer.Load(Path.Combine(Root, weights), device: "cpu");
        Assert.Equal(family, explainer.Family);
        var result = explainer.Explain(Path.Combine(Root, "samples", "bus.jpg"));
        Assert.NotEmpty(result.Targets);
        if (expected > 0) Assert.Equal(expected, result.Targets.Count);
        foreach (var t in result.Targets)
        {
            Assert.NotNull(t.Box);
            Assert.Equal((1080, 810), (t.Map.GetLength(0), t.Map.GetLength(1)));
            Assert.True(t.Map.Cast<float>().Max() > 0, $"{t.Label}: an empty map");
            Assert.Equal((1080, 810), (t.Overlay.Height, t.Overlay.Width));
        }
    }
}
