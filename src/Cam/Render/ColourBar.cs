using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>
/// The key of a heat map's colours: a horizontal bar running through the JET table (or grey, for guided pictures)
/// from level 0 at its left end to level 255 at its right end, with what those ends mean written under them.
/// </summary>
public static class ColourBar
{
    /// <summary>The JET level (or grey value) of column <paramref name="x"/> of a bar <paramref name="width"/> wide:
    /// 0 at the left end, 255 at the right end, linear between.</summary>
    public static byte Level(int x, int width) => width <= 1 ? (byte)0 : (byte)(x * 255 / (width - 1));

    /// <summary>The colour of <paramref name="level"/>: JET, or grey for <paramref name="grey"/>.</summary>
    public static Rgb Color(byte level, bool grey) => grey ? new Rgb(level, level, level) : JetColorMap.Color(level);

    /// <summary>Draws the bar with its top-left pixel at (x, y), then <paramref name="low"/> under its left end and
    /// <paramref name="high"/> under its right end at <paramref name="fontScale"/>; returns the height used.</summary>
    public static int Draw(RgbImage image, int x, int y, int width, int height, string low, string high, int fontScale, bool grey = false)
    {
        for (int i = 0; i < width; i++) Canvas.FillRectangle(image, x + i, y, 1, height, Color(Level(i, width), grey));
        int textY = y + height + fontScale;
        BitmapFont.DrawText(image, low, x, textY, fontScale, Rgb.Black);
        BitmapFont.DrawText(image, high, x + width - BitmapFont.MeasureWidth(high, fontScale), textY, fontScale, Rgb.Black);
        return height + fontScale + BitmapFont.LineHeight(fontScale);
    }
}
