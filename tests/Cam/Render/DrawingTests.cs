using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cam.Render;

/// <summary>Rectangles, label boxes, the bitmap font, the palette and the contact sheet on host images.</summary>
public class DrawingTests
{
    static RgbImage Blank(int h, int w, byte value = 0)
    {
        var px = new byte[h * w * 3];
        Array.Fill(px, value);
        return new RgbImage(h, w, px);
    }

    static Rgb At(RgbImage im, int y, int x) => new(im.At(y, x, 0), im.At(y, x, 1), im.At(y, x, 2));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RectangleCoversExactlyTheEdgeBands(int lw)
    {
        var im = Blank(40, 50);
        var red = new Rgb(255, 0, 0);
        int x1 = 10, y1 = 8, x2 = 30, y2 = 25, before = lw / 2, after = (lw - 1) / 2;
        Canvas.Rectangle(im, x1, y1, x2, y2, red, lw);
        for (int y = 0; y < im.Height; y++)
            for (int x = 0; x < im.Width; x++)
            {
                bool inOuter = x >= x1 - before && x <= x2 + after && y >= y1 - before && y <= y2 + after;
                bool inInner = x > x1 + after && x < x2 - before && y > y1 + after && y < y2 - before;
                Assert.Equal(inOuter && !inInner ? red : Rgb.Black, At(im, y, x));
            }
    }

    [Fact]
    public void RectangleIsClippedAtTheImageBorder()
    {
        var im = Blank(10, 10);
        Canvas.Rectangle(im, -5, -5, 20, 20, Rgb.White, 3);
        Assert.All(im.Pixels, b => Assert.Equal(0, b)); // every edge lies outside
        Canvas.Rectangle(im, 0, 0, 9, 9, Rgb.White, 3);
        Assert.Equal(Rgb.White, At(im, 0, 5));
        Assert.Equal(Rgb.White, At(im, 9, 5));
        Assert.Equal(Rgb.Black, At(im, 5, 5));
    }

    [Theory]
    [InlineData(1080, 810, 3)] // bus.jpg: round(1893 / 2 · 0.003) = round(2.84)
    [InlineData(480, 640, 2)]  // round(1.68) = 2
    [InlineData(100, 100, 2)]  // minimum 2
    [InlineData(2160, 3840, 9)]
    public void LineWidthFollowsYolov5(int h, int w, int lw) => Assert.Equal(lw, Annotator.DefaultLineWidth(h, w));

    [Theory]
    [InlineData("person", 0.8765f, "person 0.88")]
    [InlineData("bus", 0.5f, "bus 0.50")]
    [InlineData("tie", 0.125f, "tie 0.12")] // exactly representable half: Python's :.2f rounds to even
    public void LabelTextIsYolov5s(string name, float conf, string label) => Assert.Equal(label, Annotator.Label(name, conf));

    [Theory]
    [InlineData(0.285, "0.28")]   // binary value just below the tie
    [InlineData(2.675, "2.67")]
    [InlineData(0.375, "0.38")]   // exact tie, to even
    [InlineData(-0.001, "-0.00")]
    [InlineData(1e-300, "0.00")]
    [InlineData(1.0, "1.00")]
    public void TwoDecimalsIsPythonsFormat(double value, string text) => Assert.Equal(text, Annotator.TwoDecimals(value));

    [Fact]
    public void PaletteIsYolov5sColours()
    {
        Assert.Equal(20, Palette.Colors.Count);
        Assert.Equal(new Rgb(0xFF, 0x38, 0x38), Palette.ForClass(0));
        Assert.Equal(new Rgb(0xFF, 0x70, 0x1F), Palette.ForClass(2));
        Assert.Equal(new Rgb(0xFF, 0x37, 0xC7), Palette.ForClass(19));
        Assert.Equal(Palette.ForClass(5), Palette.ForClass(25));
    }

    [Fact]
    public void EveryPrintableAsciiGlyphIsDefinedAndDistinct()
    {
        var seen = new Dictionary<string, char>();
        for (char c = ' '; c <= '~'; c++)
        {
            Assert.True(BitmapFont.IsDefined(c));
            var bits = new System.Text.StringBuilder();
            int ink = 0;
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    bool on = BitmapFont.Ink(c, r, col);
                    ink += on ? 1 : 0;
                    bits.Append(on ? '#' : '.');
                }
            if (c == ' ') Assert.Equal(0, ink);
            else Assert.True(ink > 0, $"glyph '{c}' is blank");
            Assert.False(seen.TryGetValue(bits.ToString(), out char other), $"glyphs '{c}' and '{other}' are identical");
            seen[bits.ToString()] = c;
        }
        Assert.False(BitmapFont.IsDefined('\u00e9'));
        Assert.True(BitmapFont.Ink('\u00e9', 0, 1) == BitmapFont.Ink('?', 0, 1)); // drawn as '?'
    }

    [Fact]
    public void TextDrawsScaledGlyphPixels()
    {
        var im = Blank(30, 40);
        BitmapFont.DrawText(im, "Hi", 2, 3, 2, Rgb.White);
        for (int r = 0; r < BitmapFont.GlyphHeight; r++)
            for (int col = 0; col < BitmapFont.GlyphWidth; col++)
            {
                var want = BitmapFont.Ink('H', r, col) ? Rgb.White : Rgb.Black;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                        Assert.Equal(want, At(im, 3 + 2 * r + dy, 2 + 2 * col + dx));
                var want2 = BitmapFont.Ink('i', r, col) ? Rgb.White : Rgb.Black;
                Assert.Equal(want2, At(im, 3 + 2 * r, 2 + 2 * (BitmapFont.Advance + col)));
            }
        Assert.Equal(2 * (2 * BitmapFont.Advance - 1), BitmapFont.MeasureWidth("Hi", 2));
    }

    [Fact]
    public void LabelBoxIsFilledAndHoldsTheText()
    {
        var im = Blank(200, 300, 40);
        var annotator = new Annotator(im);
        var color = Palette.ForClass(0);
        var box = new Box(50.7f, 80.2f, 180.9f, 170f);
        string label = Annotator.Label("person", 0.88f);
        annotator.BoxLabel(box, label, color);

        var (x, y, w, h) = annotator.LabelBox(50, 80, label);
        Assert.Equal(80 - h, y);  // above the box: there is room
        Assert.Equal(50, x);
        Assert.Equal(BitmapFont.MeasureWidth(label, annotator.FontScale) + 2 * annotator.LabelPadding, w);
        int text = 0, fill = 0;
        for (int yy = y; yy < y + h; yy++)
            for (int xx = x; xx < x + w; xx++)
            {
                var p = At(im, yy, xx);
                if (p == Rgb.White) text++;
                else if (p == color) fill++;
                else Assert.Fail($"label box pixel ({xx}, {yy}) is {p}");
            }
        Assert.True(text > 100, $"only {text} text pixels");
        Assert.True(fill > text);
        // Each glyph of the label leaves ink inside its own cell.
        int s = annotator.FontScale, pad = annotator.LabelPadding;
        for (int n = 0; n < label.Length; n++)
        {
            if (label[n] == ' ') continue;
            int cellX = x + pad + n * BitmapFont.Advance * s, ink = 0;
            for (int yy = y + pad; yy < y + pad + BitmapFont.GlyphHeight * s && yy < y + h; yy++)
                for (int xx = cellX; xx < cellX + BitmapFont.GlyphWidth * s; xx++)
                    if (At(im, yy, xx) == Rgb.White) ink++;
            Assert.True(ink > 0, $"glyph '{label[n]}' left no ink");
        }
        // The outline is there and the box interior is untouched.
        Assert.Equal(color, At(im, 120, 50));
        Assert.Equal(color, At(im, 170, 120));
        Assert.Equal(new Rgb(40, 40, 40), At(im, 120, 120));
    }

    [Fact]
    public void LabelGoesInsideWhenNoRoomAboveAndStaysInTheImage()
    {
        var im = Blank(100, 120);
        var annotator = new Annotator(im);
        var (x, y, w, h) = annotator.LabelBox(100, 2, "dog 0.50");
        Assert.Equal(2, y);
        Assert.True(x + w <= im.Width);
        annotator.BoxLabel(new Box(100, 2, 119, 60), "dog 0.50", Palette.ForClass(16));
        Assert.Equal(Palette.ForClass(16), At(im, y, x));
    }

    [Fact]
    public void ContactSheetLaysOutTilesWithCaptions()
    {
        var a = Blank(20, 30, 10);
        var b = Blank(20, 30, 200);
        var c = Blank(10, 12, 90);
        var sheet = ContactSheet.Compose(a, [new SheetTile(b, "model.17"), new SheetTile(c, "model.23.cv3.act")], columns: 2, gap: 4, fontScale: 1);
        int capH = ContactSheet.CaptionHeight(1);
        Assert.Equal(4 + 2 * (30 + 4), sheet.Width);
        Assert.Equal(4 + 2 * (capH + 20 + 4), sheet.Height);
        Assert.Equal(new Rgb(10, 10, 10), At(sheet, 4 + capH, 4));
        Assert.Equal(new Rgb(200, 200, 200), At(sheet, 4 + capH + 19, 4 + 34 + 29));
        Assert.Equal(new Rgb(90, 90, 90), At(sheet, 4 + capH + 24 + capH, 4)); // second row
        int ink = 0;
        for (int y = 4; y < 4 + capH; y++)
            for (int x = 38; x < 38 + 30; x++)
                if (At(sheet, y, x) == Rgb.Black) ink++;
        Assert.True(ink > 20, "caption 'model.17' not drawn");
    }
}
