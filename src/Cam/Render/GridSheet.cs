using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>One picture of a <see cref="GridSheet"/>: the image, its caption lines (drawn above it, each cut with ".."
/// when wider than the cell) and boxes drawn after the image is scaled to its cell, so labels stay readable.</summary>
public sealed record GridTile(RgbImage Image, IReadOnlyList<string> Caption, IReadOnlyList<LabeledBox> Boxes);

/// <summary>What the sheet shows and what its colours mean: title lines, and the words under the colour bar's
/// ends (e.g. "each map's min" / "each map's max", or the shared range's numbers); <see cref="Grey"/> for guided
/// pictures, which are grey, not JET.</summary>
public sealed record SheetLegend(IReadOnlyList<string> Title, string Low, string High, bool Grey = false);

/// <summary>Sizes of a <see cref="GridSheet"/>. The defaults keep a sheet at most 1800 pixels wide and a tile at
/// most 480 pixels on its longer side (small pictures are enlarged up to twice).</summary>
public sealed record GridSheetOptions
{
    /// <summary>The sheet's largest width in pixels; tiles shrink to fit it.</summary>
    public int MaxWidth { get; init; } = 1800;
    /// <summary>A tile's largest side in pixels.</summary>
    public int MaxTile { get; init; } = 480;
    /// <summary>Rows of one tile each are packed this many to a row instead.</summary>
    public int WrapColumns { get; init; } = 4;
    /// <summary>Pixels between cells and around the sheet.</summary>
    public int Gap { get; init; } = 8;
    /// <summary>Font pixel size of captions, legend and box labels; 0 (the default): 2 when cells are at least
    /// <see cref="LargeFontCell"/> pixels wide, else 1, so that narrow cells still show their captions.</summary>
    public int FontScale { get; init; }
    /// <summary>The narrowest cell that gets font scale 2 under the automatic choice.</summary>
    public int LargeFontCell { get; init; } = 300;
    /// <summary>The colour bar's width in pixels.</summary>
    public int BarWidth { get; init; } = 384;

    /// <summary>The defaults.</summary>
    public static GridSheetOptions Default { get; } = new();
}

/// <summary>Where everything of a <see cref="GridSheet"/> goes: the grid's columns and rows, the scale of the tiles,
/// one cell's size (caption strip excluded), the caption strip's height, the header's height, the sheet's size.</summary>
public sealed record GridGeometry(int Columns, int Rows, double Scale, int CellWidth, int CellHeight, int CaptionHeight,
    int HeaderHeight, int Width, int Height, IReadOnlyList<IReadOnlyList<GridTile?>> Cells)
{
    /// <summary>The overview's own scale (it is alone in the header, so it may be larger than the grid's tiles).</summary>
    public double OverviewScale { get; init; }
    /// <summary>The overview's size on the sheet.</summary>
    public int OverviewWidth { get; init; }
    /// <summary>The font pixel size used everywhere on the sheet.</summary>
    public int FontScale { get; init; }
    /// <summary>The colour bar's top-left pixel.</summary>
    public (int X, int Y) Bar { get; init; }
}

/// <summary>
/// A contact sheet a person can read and publish: at the top the original picture with every box (labels laid out by
/// <see cref="LabelLayout"/>) and, beside it, the title and a colour bar saying what the colours mean; under it one
/// row per target (a detection or a class) with one column per map of it (a layer or a method). When every row holds
/// one tile, the rows are packed <see cref="GridSheetOptions.WrapColumns"/> to a row instead of a thin column. Tiles
/// are scaled (one scale for all) so that the sheet is at most <see cref="GridSheetOptions.MaxWidth"/> wide.
/// </summary>
public static class GridSheet
{
    /// <summary>The sheet's background.</summary>
    public static readonly Rgb Background = Rgb.White;

    /// <summary>The colour bar's height in pixels.</summary>
    public const int BarHeight = 16;

    /// <summary>The room the legend needs beside the overview: the colour bar and a margin.</summary>
    static int LegendWidth(GridSheetOptions o) => o.BarWidth + 2 * o.Gap;

    /// <summary>The layout of <see cref="Compose"/>, computed without drawing.</summary>
    public static GridGeometry Plan(GridTile overview, SheetLegend legend, IReadOnlyList<IReadOnlyList<GridTile?>> rows, GridSheetOptions? options = null)
    {
        var o = options ?? GridSheetOptions.Default;
        if (o.MaxWidth < 64 || o.MaxTile < 16 || o.WrapColumns < 1 || o.Gap < 0 || o.FontScale < 0 || o.BarWidth < 16)
            throw new ArgumentException($"grid sheet: options {o} are out of range");
        var cells = rows.All(r => r.Count <= 1) && rows.Count > 1
            ? rows.Select(r => r.Count == 0 ? null : r[0]).Chunk(o.WrapColumns).Select(c => (IReadOnlyList<GridTile?>)c).ToList()
            : rows.ToList();
        int columns = Math.Max(1, cells.Count == 0 ? 1 : cells.Max(r => r.Count));
        var tiles = cells.SelectMany(r => r).OfType<GridTile>().ToList();
        int w0 = tiles.Select(t => t.Image.Width).DefaultIfEmpty(overview.Image.Width).Max();
        int h0 = tiles.Select(t => t.Image.Height).DefaultIfEmpty(overview.Image.Height).Max();
        double scale = Math.Min(Math.Min(2.0, (double)o.MaxTile / Math.Max(w0, h0)), (double)(o.MaxWidth - o.Gap * (columns + 1)) / (columns * w0));
        double overviewScale = Math.Min(Math.Min(2.0, (double)o.MaxTile / Math.Max(overview.Image.Width, overview.Image.Height)),
            (double)(o.MaxWidth - 3 * o.Gap - LegendWidth(o)) / overview.Image.Width);
        if (scale <= 0 || overviewScale <= 0) throw new ArgumentException($"grid sheet: {columns} columns do not fit in {o.MaxWidth} pixels");
        int cellW = Math.Max(1, (int)(w0 * scale)), cellH = Math.Max(1, (int)(h0 * scale));
        int overviewW = Math.Max(1, (int)(overview.Image.Width * overviewScale)), overviewH = Math.Max(1, (int)(overview.Image.Height * overviewScale));
        int fs = o.FontScale > 0 ? o.FontScale : cellW >= o.LargeFontCell ? 2 : 1;
        int lines = tiles.Select(t => t.Caption.Count).DefaultIfEmpty(0).Max();
        int captionH = CaptionHeight(lines, fs);
        int legendH = (legend.Title.Count + 1) * LineStep(fs) + 2 * fs + BarHeight + BitmapFont.LineHeight(fs) + fs;
        int headerH = Math.Max(CaptionHeight(overview.Caption.Count, fs) + overviewH, legendH);
        int width = Math.Max(o.Gap + columns * (cellW + o.Gap), 3 * o.Gap + overviewW + LegendWidth(o));
        long height = o.Gap + headerH + o.Gap + (long)cells.Count * (captionH + cellH + o.Gap);
        if (width * height * 3 > int.MaxValue) throw new ArgumentException($"grid sheet: {width}x{height} is too large");
        return new GridGeometry(columns, cells.Count, scale, cellW, cellH, captionH, headerH, width, (int)height, cells)
        {
            OverviewScale = overviewScale, OverviewWidth = overviewW, FontScale = fs,
            Bar = (3 * o.Gap + overviewW, o.Gap + fs + (legend.Title.Count + 1) * LineStep(fs)),
        };
    }

    /// <summary>Draws the sheet (<see cref="Plan"/> says where everything goes).</summary>
    public static RgbImage Compose(GridTile overview, SheetLegend legend, IReadOnlyList<IReadOnlyList<GridTile?>> rows, GridSheetOptions? options = null)
    {
        var o = options ?? GridSheetOptions.Default;
        var g = Plan(overview, legend, rows, o);
        var sheet = new RgbImage(g.Height, g.Width, GC.AllocateUninitializedArray<byte>(g.Width * g.Height * 3)); // all filled below
        Canvas.FillRectangle(sheet, 0, 0, sheet.Width, sheet.Height, Background);

        // Header: the overview with its caption, and beside it the title and the colour bar.
        int fs = g.FontScale;
        DrawTile(sheet, overview, o.Gap, o.Gap, g.OverviewScale, g.OverviewWidth, CaptionHeight(overview.Caption.Count, fs), fs);
        int lx = g.Bar.X, ly = o.Gap + fs;
        foreach (var line in legend.Title)
        {
            BitmapFont.DrawText(sheet, Annotator.FitText(line, g.Width - lx - o.Gap, fs), lx, ly, fs, Rgb.Black);
            ly += LineStep(fs);
        }
        ColourBar.Draw(sheet, g.Bar.X, g.Bar.Y, o.BarWidth, BarHeight, legend.Low, legend.High, fs, legend.Grey);

        int top = o.Gap + g.HeaderHeight + o.Gap;
        for (int r = 0; r < g.Rows; r++)
            for (int c = 0; c < g.Cells[r].Count; c++)
                if (g.Cells[r][c] is { } tile)
                    DrawTile(sheet, tile, o.Gap + c * (g.CellWidth + o.Gap), top + r * (g.CaptionHeight + g.CellHeight + o.Gap),
                        g.Scale, g.CellWidth, g.CaptionHeight, fs);
        return sheet;
    }

    /// <summary>Height of a caption strip of <paramref name="lines"/> lines: each a line of text and one font pixel,
    /// plus one font pixel at the top.</summary>
    public static int CaptionHeight(int lines, int fontScale) => lines == 0 ? 0 : fontScale + lines * LineStep(fontScale);

    static int LineStep(int fontScale) => BitmapFont.LineHeight(fontScale) + fontScale;

    /// <summary>The tile scaled by the sheet's scale, its boxes drawn on the scaled picture, its caption above it.</summary>
    static void DrawTile(RgbImage sheet, GridTile tile, int x, int y, double s, int cellW, int captionH, int fontScale)
    {
        int ty = y + fontScale;
        foreach (var line in tile.Caption)
        {
            BitmapFont.DrawText(sheet, Annotator.FitText(line, cellW, fontScale), x, ty, fontScale, Rgb.Black);
            ty += LineStep(fontScale);
        }
        var scaled = RgbResize.To(tile.Image, Math.Max(1, (int)(tile.Image.Width * s)), Math.Max(1, (int)(tile.Image.Height * s)));
        if (tile.Boxes.Count > 0)
        {
            if (ReferenceEquals(scaled, tile.Image)) scaled = new RgbImage(scaled.Height, scaled.Width, (byte[])scaled.Pixels.Clone());
            new Annotator(scaled, lineWidth: 2, fontScale: fontScale).DrawAll(tile.Boxes
                .Select(b => b with { Box = new Box((float)(b.Box.X1 * s), (float)(b.Box.Y1 * s), (float)(b.Box.X2 * s), (float)(b.Box.Y2 * s)) }).ToList());
        }
        ContactSheet.Paste(sheet, scaled, x, y + captionH);
    }
}
