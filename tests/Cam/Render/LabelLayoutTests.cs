using NativeCam.Cam.Render;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Cam.Render;

/// <summary>Label placement: every label inside the image, no two labels sharing a pixel, YOLOv5's spot when it is free.</summary>
public class LabelLayoutTests
{
    static void AssertInsideAndApart(LabelRect?[] places, int width, int height)
    {
        var placed = places.OfType<LabelRect>().ToList();
        foreach (var p in placed) Assert.True(p.Inside(width, height), $"{p} leaves the {width}x{height} image");
        for (int i = 0; i < placed.Count; i++)
            for (int j = i + 1; j < placed.Count; j++)
                Assert.False(placed[i].Overlaps(placed[j]), $"{placed[i]} overlaps {placed[j]}");
    }

    [Fact]
    public void AFreeLabelGoesAboveTheBoxsTopLeftCornerAsInYolov5()
    {
        var places = LabelLayout.Place([(40, 50, 90, 120)], [(30, 10)], 200, 200);
        Assert.Equal(new LabelRect(40, 40, 30, 10), places[0]);
    }

    [Fact]
    public void LabelsOfBoxesSharingACornerAreStackedApartNotOnTopOfEachOther()
    {
        // bus.jpg's first tile: several people whose boxes start at nearly the same corner, and a bus around them.
        var boxes = new List<(int, int, int, int)> { (50, 400, 210, 900), (52, 398, 240, 880), (48, 402, 200, 910), (0, 230, 800, 750) };
        var sizes = Enumerable.Repeat((130, 20), boxes.Count).ToList();
        var places = LabelLayout.Place(boxes, sizes, 810, 1080);
        Assert.All(places, p => Assert.NotNull(p));
        AssertInsideAndApart(places, 810, 1080);
        Assert.Equal(new LabelRect(50, 380, 130, 20), places[0]); // the first keeps its usual place
    }

    [Fact]
    public void LabelsNearTheBordersStayInside()
    {
        var boxes = new List<(int, int, int, int)> { (0, 0, 30, 30), (95, 0, 99, 99), (-20, 90, 10, 120), (90, 95, 130, 140) };
        var places = LabelLayout.Place(boxes, Enumerable.Repeat((40, 12), boxes.Count).ToList(), 100, 100);
        Assert.All(places, p => Assert.NotNull(p));
        AssertInsideAndApart(places, 100, 100);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomCrowdsNeverOverlapOrLeaveTheImage(int seed)
    {
        var random = new Random(seed);
        int width = random.Next(60, 400), height = random.Next(60, 400), n = random.Next(1, 60);
        var boxes = Enumerable.Range(0, n).Select(_ =>
        {
            int x1 = random.Next(-20, width), y1 = random.Next(-20, height);
            return (x1, y1, x1 + random.Next(1, 200), y1 + random.Next(1, 200));
        }).ToList();
        var sizes = Enumerable.Range(0, n).Select(_ => (random.Next(1, 120), random.Next(1, 30))).ToList();
        var places = LabelLayout.Place(boxes, sizes, width, height);
        AssertInsideAndApart(places, width, height);
        for (int i = 0; i < n; i++)
            if (places[i] is { } p) Assert.Equal(sizes[i], (p.Width, p.Height));
    }

    [Fact]
    public void WhenTheImageIsFullTheRestGetNoPlaceRatherThanAnOverlap()
    {
        var boxes = Enumerable.Repeat((0, 0, 10, 10), 10).ToList();
        var places = LabelLayout.Place(boxes, Enumerable.Repeat((20, 10), 10).ToList(), 40, 20); // room for exactly four
        Assert.Equal(4, places.Count(p => p != null));
        AssertInsideAndApart(places, 40, 20);
    }

    [Fact]
    public void ALabelTooLargeForTheImageGetsNoPlace() =>
        Assert.Null(LabelLayout.Place([(0, 0, 5, 5)], [(50, 10)], 40, 40)[0]);

    [Fact]
    public void DrawAllPaintsEveryLabelWhereTheLayoutPutsIt()
    {
        var image = new RgbImage(200, 200, new byte[200 * 200 * 3]);
        var red = new Rgb(255, 0, 0);
        var boxes = Enumerable.Range(0, 3).Select(i => new LabeledBox(new Box(20 + i, 60 + i, 150, 190), $"person 0.{8 - i}0", red)).ToList();
        var places = new Annotator(image, lineWidth: 2, fontScale: 2).DrawAll(boxes);
        AssertInsideAndApart(places, 200, 200);
        Assert.All(places, p => Assert.NotNull(p));
        foreach (var p in places.OfType<LabelRect>())
            Assert.Equal(red, new Rgb(image.At(p.Y, p.X, 0), image.At(p.Y, p.X, 1), image.At(p.Y, p.X, 2))); // the label's fill
    }

    [Fact]
    public void ALabelWiderThanTheImageIsCutToFit()
    {
        Assert.Equal("person", Annotator.FitText("person", 1000, 2));
        string cut = Annotator.FitText("a very long class name indeed", 100, 2);
        Assert.EndsWith("..", cut);
        Assert.True(BitmapFont.MeasureWidth(cut, 2) <= 100);
    }
}
