using NativeCam.Yolo;

namespace NativeCam.Cam.Render;

/// <summary>Plain pixel drawing on host RGB images; everything is clipped to the image.</summary>
public static class Canvas
{
    /// <summary>Fills the <paramref name="width"/> x <paramref name="height"/> block whose top-left pixel is (x, y).</summary>
    public static void FillRectangle(RgbImage image, int x, int y, int width, int height, Rgb color)
    {
        int x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        int x1 = (int)Math.Min((long)x + width, image.Width), y1 = (int)Math.Min((long)y + height, image.Height);
        var px = image.Pixels;
        for (int yy = y0; yy < y1; yy++)
        {
            int row = yy * image.Width * 3;
            for (int xx = x0; xx < x1; xx++)
            {
                px[row + 3 * xx] = color.R;
                px[row + 3 * xx + 1] = color.G;
                px[row + 3 * xx + 2] = color.B;
            }
        }
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
