using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>One picture of a contact sheet and the caption written above it (e.g. a layer name).</summary>
public sealed record SheetTile(RgbImage Image, string Caption);

/// <summary>
/// Images side by side on one sheet (wrapping to rows after <c>columns</c> tiles), each with a caption strip
/// above it: the original image followed by its overlays, one per layer. Tiles of different sizes sit in cells
/// of the largest size, top-left aligned; captions too long for the cell are cut and end in "..".
/// </summary>
public static class ContactSheet
{
    public static readonly Rgb Background = Rgb.White, CaptionColor = Rgb.Black;

    /// <summary>The original image (captioned <paramref name="originalCaption"/>) followed by <paramref name="overlays"/>.</summary>
    public static RgbImage Compose(RgbImage original, IReadOnlyList<SheetTile> overlays, int columns = 0,
        string originalCaption = "image", int gap = 8, int fontScale = 0) =>
        Compose([new SheetTile(original, originalCaption), .. overlays], columns, gap, fontScale);

    /// <summary>Lays out <paramref name="tiles"/>; <paramref name="columns"/> 0 puts them all in one row;
    /// <paramref name="fontScale"/> 0 picks the annotator's scale for the cell size (at least 2).</summary>
    public static RgbImage Compose(IReadOnlyList<SheetTile> tiles, int columns = 0, int gap = 8, int fontScale = 0)
    {
        if (tiles.Count == 0) throw new ArgumentException("contact sheet: no images");
        if (columns < 0 || gap < 0 || fontScale < 0)
            throw new ArgumentException($"contact sheet: columns {columns}, gap {gap} and font scale {fontScale} are invalid");
        int cols = columns == 0 ? tiles.Count : Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + cols - 1) / cols;
        int cellW = tiles.Max(t => t.Image.Width), cellH = tiles.Max(t => t.Image.Height);
        if (fontScale == 0) fontScale = Math.Max(2, Annotator.DefaultLineWidth(cellH, cellW));
        int captionH = CaptionHeight(fontScale);
        long width = gap + (long)cols * (cellW + gap), height = gap + (long)rows * (captionH + cellH + gap);
        if (width * height * 3 > int.MaxValue) throw new ArgumentException($"contact sheet: {width}x{height} is too large");
        var sheet = new RgbImage((int)height, (int)width, GC.AllocateUninitializedArray<byte>((int)(width * height * 3))); // all filled below
        Canvas.FillRectangle(sheet, 0, 0, sheet.Width, sheet.Height, Background);
        for (int i = 0; i < tiles.Count; i++)
        {
            int x = gap + i % cols * (cellW + gap), y = gap + i / cols * (captionH + cellH + gap);
            string caption = Fit(tiles[i].Caption, cellW, fontScale);
            BitmapFont.DrawText(sheet, caption, x, y + fontScale, fontScale, CaptionColor);
            Paste(sheet, tiles[i].Image, x, y + captionH);
        }
        return sheet;
    }

    /// <summary>Height of the caption strip above each tile: a line of text plus one font pixel above and below.</summary>
    public static int CaptionHeight(int fontScale) => BitmapFont.LineHeight(fontScale) + 2 * fontScale;

    /// <summary>Copies <paramref name="tile"/> into <paramref name="sheet"/> with its top-left pixel at (x, y).</summary>
    public static void Paste(RgbImage sheet, RgbImage tile, int x, int y)
    {
        int w = Math.Min(tile.Width, sheet.Width - x), h = Math.Min(tile.Height, sheet.Height - y);
        if (x < 0 || y < 0 || w <= 0 || h <= 0) throw new ArgumentException($"contact sheet: tile {tile} does not fit at ({x}, {y}) in {sheet}");
        for (int r = 0; r < h; r++)
            Array.Copy(tile.Pixels, r * tile.Width * 3, sheet.Pixels, ((y + r) * sheet.Width + x) * 3, w * 3);
    }

    static string Fit(string caption, int width, int scale)
    {
        if (BitmapFont.MeasureWidth(caption, scale) <= width) return caption;
        int fit = Math.Max(0, (width / scale + 1) / BitmapFont.Advance - 2);
        return caption[..Math.Min(fit, caption.Length)] + "..";
    }
}
