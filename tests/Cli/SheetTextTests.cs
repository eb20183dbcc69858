using NativeCam.Cam.Render;
using NativeCam.Cli;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>The words on contact sheets: every caption names its method, and the legend says what the colours span.</summary>
public class SheetTextTests
{
    [Theory]
    [InlineData("layercam", "fused")]
    [InlineData("gradcam++", "model.17")]
    [InlineData("guided-gradcam", "model.23")]
    public void EveryCaptionNamesItsMethodAndLayer(string method, string layer)
    {
        var caption = SheetText.Caption("0 person 0.88", method, layer, "in-box 67%", new MapStats(0, 0.8f, false), method == "guided-gradcam");
        Assert.Equal(["0 person 0.88", $"{method} {layer}", "in-box 67%"], caption.Take(3));
        Assert.Equal(method == "guided-gradcam" ? "gradient 0 .. 0.8" : "range 0 .. 0.8", caption[3]);
        Assert.Equal(3, SheetText.Caption("3 golden retriever 0.41", method, layer, null, new MapStats(1, 1, true), false).Count);
    }

    [Fact]
    public void TheLegendSaysWhetherColoursAreEachMapsOwnOrOneSharedRange()
    {
        var own = SheetText.Legend(["t"], null, allGuided: false, anyGuided: false);
        Assert.Equal(("map's min", "map's max", false), (own.Low, own.High, own.Grey));
        Assert.Contains(own.Title, l => l.Contains("its own min", StringComparison.Ordinal));
        var shared = SheetText.Legend(["t"], new MapStats(-0.5f, 2.25f, false), allGuided: false, anyGuided: true);
        Assert.Equal(("min -0.5", "max 2.25"), (shared.Low, shared.High));
        Assert.Contains(shared.Title, l => l.Contains("--shared-scale", StringComparison.Ordinal));
        Assert.Contains(shared.Title, l => l.Contains("guided-gradcam", StringComparison.Ordinal));
        Assert.True(SheetText.Legend(["t"], null, allGuided: true, anyGuided: true).Grey);
    }
}
