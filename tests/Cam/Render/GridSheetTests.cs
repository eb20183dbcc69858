using NativeCam.Cam.Render;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Cam.Render;

/// <summary>The grid contact sheet: one row per target, one column per map, capped width, a colour bar that is the JET
/// table, captions drawn.</summary>
public class GridSheetTests
{
    static RgbImage Blank(int h, int w, byte value)
    {
        var px = new byte[h * w * 3];
        Array.Fill(px, value);
        return new RgbImage(h, w, px);
    }

    static Rgb At(RgbImage im, int y, int x) => new(im.At(y, x, 0), im.At(y, x, 1), im.At(y, x, 2));

    static GridTile Tile(int h, int w, byte value = 100) => new(Blank(h, w, value), ["0 person 0.88", "layercam fused", "range 0 .. 1"], []);

    static readonly SheetLegend Legend = new(["detect-cam: logit score, box target"], "map's min", "map's max");

    static IReadOnlyList<IReadOnlyList<GridTile?>> Grid(int rows, int columns, int h, int w) =>
        Enumerable.Range(0, rows).Select(_ => (IReadOnlyList<GridTile?>)Enumerable.Range(0, columns).Select(_ => (GridTile?)Tile(h, w)).ToList()).ToList();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(5, 9)]   // --method all: nine methods as columns
    [InlineData(2, 30)]
    public void OneRowPerTargetAndOneColumnPerMapWithinTheWidthCap(int rows, int columns)
    {
        var overview = Tile(1080, 810);
        var g = GridSheet.Plan(overview, Legend, Grid(rows, columns, 1080, 810));
        Assert.Equal(rows == 1 || columns > 1 ? columns : Math.Min(4, rows), g.Columns);
        Assert.True(g.Width <= GridSheetOptions.Default.MaxWidth, $"{g.Width} px wide");
        Assert.True(Math.Max(g.CellWidth, g.CellHeight) <= GridSheetOptions.Default.MaxTile);
        Assert.Equal(columns > 1 || rows == 1 ? rows : (rows + 3) / 4, g.Rows);
        var sheet = GridSheet.Compose(overview, Legend, Grid(rows, columns, 1080, 810));
        Assert.Equal((g.Height, g.Width), (sheet.Height, sheet.Width));
    }

    [Fact]
    public void TheBusSheetIsAboutAThirdOfTheOldSize()
    {
        // The old sheet of bus.jpg was 3280 x 2244 (four 810 x 1080 tiles a row); now the same six pictures fit 1800 pixels.
        var g = GridSheet.Plan(Tile(1080, 810), Legend, Grid(5, 1, 1080, 810));
        Assert.True(g.Width <= 1800 && g.Height < 2244, $"{g.Width}x{g.Height}");
        Assert.Equal((4, 2), (g.Columns, g.Rows)); // five detections of one map each: packed four to a row
    }

    [Fact]
    public void TilesLandInTheirCellsScaledAndRowsFollowTargets()
    {
        var options = new GridSheetOptions { Gap = 4, FontScale = 1, MaxTile = 40 };
        var rows = new List<IReadOnlyList<GridTile?>>
        {
            new GridTile?[] { Tile(80, 60, 10), Tile(80, 60, 20) },
            new GridTile?[] { Tile(80, 60, 30), null },
        };
        var sheet = GridSheet.Compose(Tile(80, 60, 200), Legend, rows, options);
        var g = GridSheet.Plan(Tile(80, 60, 200), Legend, rows, options);
        Assert.Equal((2, 2, 30, 40), (g.Columns, g.Rows, g.CellWidth, g.CellHeight)); // scaled by 0.5 to the 40-pixel cap
        int top = 4 + g.HeaderHeight + 4;
        Assert.Equal(new Rgb(10, 10, 10), At(sheet, top + g.CaptionHeight + 20, 4 + 15));
        Assert.Equal(new Rgb(20, 20, 20), At(sheet, top + g.CaptionHeight + 20, 4 + 34 + 15));
        int second = top + g.CaptionHeight + 40 + 4;
        Assert.Equal(new Rgb(30, 30, 30), At(sheet, second + g.CaptionHeight + 20, 4 + 15));
        Assert.Equal(GridSheet.Background, At(sheet, second + g.CaptionHeight + 20, 4 + 34 + 15)); // the empty cell
    }

    [Fact]
    public void TheColourBarRunsThroughTheJetTable()
    {
        var o = GridSheetOptions.Default;
        var g = GridSheet.Plan(Tile(300, 400), Legend, Grid(2, 2, 300, 400));
        var sheet = GridSheet.Compose(Tile(300, 400), Legend, Grid(2, 2, 300, 400));
        var (x, y) = g.Bar;
        for (int i = 0; i < o.BarWidth; i++)
            Assert.Equal(JetColorMap.Color(ColourBar.Level(i, o.BarWidth)), At(sheet, y + GridSheet.BarHeight / 2, x + i));
        Assert.Equal(JetColorMap.Color(0), At(sheet, y, x));
        Assert.Equal(JetColorMap.Color(255), At(sheet, y + GridSheet.BarHeight - 1, x + o.BarWidth - 1));
    }

    [Fact]
    public void AGuidedLegendHasAGreyBar()
    {
        var legend = Legend with { Grey = true };
        var g = GridSheet.Plan(Tile(300, 400), legend, Grid(1, 1, 300, 400));
        var sheet = GridSheet.Compose(Tile(300, 400), legend, Grid(1, 1, 300, 400));
        Assert.Equal(new Rgb(0, 0, 0), At(sheet, g.Bar.Y + 1, g.Bar.X));
        Assert.Equal(new Rgb(255, 255, 255), At(sheet, g.Bar.Y + 1, g.Bar.X + GridSheetOptions.Default.BarWidth - 1));
    }

    [Fact]
    public void CaptionsAreWrittenAboveEveryTile()
    {
        var rows = Grid(1, 2, 300, 400);
        var g = GridSheet.Plan(Tile(300, 400), Legend, rows);
        var sheet = GridSheet.Compose(Tile(300, 400), Legend, rows);
        int top = 8 + g.HeaderHeight + 8;
        for (int c = 0; c < 2; c++)
        {
            int ink = 0, x0 = 8 + c * (g.CellWidth + 8);
            for (int y = top; y < top + g.CaptionHeight; y++)
                for (int x = x0; x < x0 + g.CellWidth; x++)
                    if (At(sheet, y, x) == Rgb.Black) ink++;
            Assert.True(ink > 200, $"column {c}: caption not drawn ({ink} dark pixels)");
        }
        Assert.Equal(3 * (8 * g.FontScale + g.FontScale) + g.FontScale, g.CaptionHeight); // three lines
    }

    [Fact]
    public void NarrowCellsGetTheSmallFontSoCaptionsStillFit()
    {
        Assert.Equal(2, GridSheet.Plan(Tile(1080, 810), Legend, Grid(2, 2, 1080, 810)).FontScale);
        Assert.Equal(1, GridSheet.Plan(Tile(1080, 810), Legend, Grid(2, 9, 1080, 810)).FontScale);
    }

    [Fact]
    public void BoxesAreDrawnOnTheScaledTile()
    {
        var red = new Rgb(255, 0, 0);
        var tile = new GridTile(Blank(800, 800, 0), ["x"], [new LabeledBox(new Box(100, 200, 700, 700), "dog 0.50", red)]);
        var g = GridSheet.Plan(tile, Legend, [[tile]]);
        var sheet = GridSheet.Compose(tile, Legend, [[tile]]);
        int top = 8 + g.HeaderHeight + 8 + g.CaptionHeight;
        int x = 8 + (int)(100 * g.Scale), y = top + (int)(450 * g.Scale);
        Assert.Equal(red, At(sheet, y, x)); // the box's left edge at the scaled position
    }

    [Fact]
    public void SharedRangeIsTheUnionOfTheMapsRanges()
    {
        var u = MapStats.Union([new MapStats(0.5f, 2, false), new MapStats(-1, 0.25f, false), new MapStats(float.NaN, float.NaN, true)]);
        Assert.Equal(new MapStats(-1, 2, false), u);
        Assert.True(MapStats.Union([new MapStats(3, 3, true)]).Empty);
    }

    [Theory]
    [InlineData(810, 360)]
    [InlineData(7, 3)]
    [InlineData(224, 448)]
    [InlineData(5, 5)]
    public void AreaTapsCoverEachOutputPixelExactlyOnce(int source, int size)
    {
        var taps = RgbResize.Taps(source, size);
        Assert.Equal(size, taps.Length);
        foreach (var (first, weights) in taps)
        {
            Assert.InRange(first, 0, source - 1);
            Assert.True(first + weights.Length <= source);
            Assert.Equal(1.0, weights.Sum(), 5);
        }
    }

    [Fact]
    public void ShrinkingAveragesTheAreaAndKeepsAFlatColourFlat()
    {
        var checker = new RgbImage(2, 2, [0, 0, 0, 200, 100, 50, 200, 100, 50, 0, 0, 0]);
        var one = RgbResize.To(checker, 1, 1);
        Assert.Equal(new Rgb(100, 50, 25), At(one, 0, 0));
        var flat = RgbResize.To(Blank(1080, 810, 77), 359, 479);
        Assert.All(flat.Pixels, v => Assert.Equal(77, v));
        Assert.Same(flat, RgbResize.To(flat, 359, 479));
    }
}
