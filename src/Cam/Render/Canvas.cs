using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>Plain pixel drawing on host RGB images; everything is clipped to the image.</summary>
public static class Canvas
{
    /// <summary>Fills the <paramref name="width"/> x <paramref name="height"/> block whose top-left pixel is (x, y).</summary>
    public static void FillRectangle(RgbImage image, int x, int y, int width, int height, Rgb color)
    {
        int x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        int x1 = (int)Math.Min((long)x + width, image.Width), y1 = (int)Math.Min((long)y + height, image.Height);
        if (x1 <= x0 || y1 <= y0) return;
        // The first row pixel by pixel, the others copies of it (a contact sheet's background is 20 MB).
        var first = image.Pixels.AsSpan((y0 * image.Width + x0) * 3, (x1 - x0) * 3);
        for (int i = 0; i < first.Length; i += 3)
        {
            first[i] = color.R;
            first[i + 1] = color.G;
            first[i + 2] = color.B;
        }
        for (int yy = y0 + 1; yy < y1; yy++) first.CopyTo(image.Pixels.AsSpan((yy * image.Width + x0) * 3, first.Length));
    }

    /// <summary>
    /// The outline of the box with corners (x1, y1) and (x2, y2) (inclusive pixel coordinates), each edge a band
    /// of <paramref name="lineWidth"/> pixels centred on it as OpenCV centres thick lines: offsets
    /// −⌊lw/2⌋ .. ⌊(lw−1)/2⌋ from the edge, so the outline covers columns x1 − ⌊lw/2⌋ .. x2 + ⌊(lw−1)/2⌋.
    /// </summary>
    public static void Rectangle(RgbImage image, int x1, int y1, int x2, int y2, Rgb color, int lineWidth)
    {
        if (lineWidth < 1) throw new ArgumentException($"rectangle: line width {lineWidth} must be at least 1");
        if (x2 < x1) (x1, x2) = (x2, x1);
        if (y2 < y1) (y1, y2) = (y2, y1);
        int before = lineWidth / 2;
        int left = x1 - before, top = y1 - before;
        int outerW = x2 - x1 + lineWidth, outerH = y2 - y1 + lineWidth;
        FillRectangle(image, left, top, outerW, lineWidth, color);                 // top edge
        FillRectangle(image, left, y2 - before, outerW, lineWidth, color);         // bottom edge
        FillRectangle(image, left, top, lineWidth, outerH, color);                 // left edge
        FillRectangle(image, x2 - before, top, lineWidth, outerH, color);          // right edge
    }
}
