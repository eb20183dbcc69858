using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>
/// A small bitmap font of our own for labels and captions: every printable ASCII character (32..126) as a
/// 5 x 8 glyph - rows 0..6 above the baseline (capitals and digits use all seven, lower case five), row 7 for the
/// descenders of g, j, p, q, y and the comma - drawn on a 6-pixel advance, scaled by an integer factor (each font
/// pixel becomes a scale x scale block). Characters outside that range are drawn as '?'.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 5, GlyphHeight = 8, Advance = 6;

    /// <summary>Rows above the baseline (the height of a capital letter).</summary>
    public const int CapHeight = 7;

    public const char First = ' ', Last = '~';

    // One line per glyph: 7 or 8 rows of 5 pixels, '#' ink, '.' paper, rows separated by spaces (8th row blank if omitted).
    static readonly string[] Glyphs =
    [
        "..... ..... ..... ..... ..... ..... .....", // ' '
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..", // !
        ".#.#. .#.#. ..... ..... ..... ..... .....", // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.", // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..", // $
        "##... ##..# ...#. ..#.. .#... #..## ...##", // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#", // &
        "..#.. ..#.. .#... ..... ..... ..... .....", // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.", // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...", // )
        "..... ..#.. #.#.# .###. #.#.# ..#.. .....", // *
        "..... ..#.. ..#.. ##### ..#.. ..#.. .....", // +
        "..... ..... ..... ..... ..... .##.. ..#.. .#...", // ,
        "..... ..... ..... ##### ..... ..... .....", // -
        "..... ..... ..... ..... ..... .##.. .##..", // .
        "..... ....# ...#. ..#.. .#... #.... .....", // /
        ".###. #...# #..## #.#.# ##..# #...# .###.", // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.", // 1
        ".###. #...# ....# ...#. ..#.. .#... #####", // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.", // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.", // 4
        "##### #.... ####. ....# ....# #...# .###.", // 5
        "..##. .#... #.... ####. #...# #...# .###.", // 6
        "##### ....# ...#. ..#.. .#... .#... .#...", // 7
        ".###. #...# #...# .###. #...# #...# .###.", // 8
        ".###. #...# #...# .#### ....# ...#. .##..", // 9
        "..... .##.. .##.. ..... .##.. .##.. .....", // :
        "..... .##.. .##.. ..... .##.. ..#.. .#...", // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.", // <
        "..... ..... ##### ..... ##### ..... .....", // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...", // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..", // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.", // @
        ".###. #...# #...# #...# ##### #...# #...#", // A
        "####. #...# #...# ####. #...# #...# ####.", // B
        ".###. #...# #.... #.... #.... #...# .###.", // C
        "###.. #..#. #...# #...# #...# #..#. ###..", // D
        "##### #.... #.... ####. #.... #.... #####", // E
        "##### #.... #.... ####. #.... #.... #....", // F
        ".###. #...# #.... #.### #...# #...# .####", // G
        "#...# #...# #...# ##### #...# #...# #...#", // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..", // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#", // K
        "#.... #.... #.... #.... #.... #.... #####", // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#", // M
        "#...# #...# ##..# #.#.# #..## #...# #...#", // N
        ".###. #...# #...# #...# #...# #...# .###.", // O
        "####. #...# #...# ####. #.... #.... #....", // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#", // Q
        "####. #...# #...# ####. #.#.. #..#. #...#", // R
        ".#### #.... #.... .###. ....# ....# ####.", // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..", // T
        "#...# #...# #...# #...# #...# #...# .###.", // U
        "#...# #...# #...# #...# #...# .#.#. ..#..", // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.", // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#", // X
        "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..", // Y
        "##### ....# ...#. ..#.. .#... #.... #####", // Z
        ".###. .#... .#... .#... .#... .#... .###.", // [
        "..... #.... .#... ..#.. ...#. ....# .....", // \
        ".###. ...#. ...#. ...#. ...#. ...#. .###.", // ]
        "..#.. .#.#. #...# ..... ..... ..... .....", // ^
        "..... ..... ..... ..... ..... ..... ..... #####", // _
        ".#... ..#.. ...#. ..... ..... ..... .....", // `
        "..... ..... .###. ....# .#### #...# .####", // a
        "#.... #.... #.##. ##..# #...# #...# ####.", // b
        "..... ..... .###. #.... #.... #...# .###.", // c
        "....# ....# .##.# #..## #...# #...# .####", // d
        "..... ..... .###. #...# ##### #.... .###.", // e
        "..##. .#..# .#... ###.. .#... .#... .#...", // f
        "..... ..... .#### #...# #...# .#### ....# .###.", // g
        "#.... #.... #.##. ##..# #...# #...# #...#", // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.", // i
        "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..", // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.", // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", // l
        "..... ..... ##.#. #.#.# #.#.# #...# #...#", // m
        "..... ..... #.##. ##..# #...# #...# #...#", // n
        "..... ..... .###. #...# #...# #...# .###.", // o
        "..... ..... ####. #...# #...# ####. #.... #....", // p
        "..... ..... .#### #...# #...# .#### ....# ....#", // q
        "..... ..... #.##. ##..# #.... #.... #....", // r
        "..... ..... .###. #.... .###. ....# ####.", // s
        ".#... .#... ###.. .#... .#... .#..# ..##.", // t
        "..... ..... #...# #...# #...# #..## .##.#", // u
        "..... ..... #...# #...# #...# .#.#. ..#..", // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.", // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#", // x
        "..... ..... #...# #...# #...# .#### ....# .###.", // y
        "..... ..... ##### ...#. ..#.. .#... #####", // z
        "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.", // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..", // |
        ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...", // }
        "..... ..... .#... #.#.# ...#. ..... .....", // ~
    ];

    // Row bit masks, GlyphHeight per character from First; bit (GlyphWidth − 1 − column) set where there is ink.
    static readonly byte[] Rows = Parse();

    static byte[] Parse()
    {
        if (Glyphs.Length != Last - First + 1)
            throw new InvalidOperationException($"bitmap font: {Glyphs.Length} glyphs for {Last - First + 1} characters");
        var rows = new byte[Glyphs.Length * GlyphHeight];
        for (int g = 0; g < Glyphs.Length; g++)
        {
            var lines = Glyphs[g].Split(' ');
            if (lines.Length is not (CapHeight or GlyphHeight))
                throw new InvalidOperationException($"bitmap font: glyph '{(char)(First + g)}' has {lines.Length} rows");
            for (int r = 0; r < lines.Length; r++)
            {
                if (lines[r].Length != GlyphWidth || lines[r].Any(ch => ch is not ('#' or '.')))
                    throw new InvalidOperationException($"bitmap font: glyph '{(char)(First + g)}' row {r} is '{lines[r]}'");
                int bits = 0;
                foreach (char ch in lines[r]) bits = (bits << 1) | (ch == '#' ? 1 : 0);
                rows[g * GlyphHeight + r] = (byte)bits;
            }
        }
        return rows;
    }

    /// <summary>True for the printable ASCII characters the font draws as themselves.</summary>
    public static bool IsDefined(char c) => c >= First && c <= Last;

    /// <summary>Whether glyph <paramref name="c"/> has ink at <paramref name="row"/> (0..7), <paramref name="column"/> (0..4).</summary>
    public static bool Ink(char c, int row, int column)
    {
        if (row < 0 || row >= GlyphHeight || column < 0 || column >= GlyphWidth) return false;
        if (!IsDefined(c)) c = '?';
        return (Rows[(c - First) * GlyphHeight + row] >> (GlyphWidth - 1 - column) & 1) != 0;
    }

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/> (no gap after the last glyph).</summary>
    public static int MeasureWidth(string text, int scale) => text.Length == 0 ? 0 : (text.Length * Advance - 1) * scale;

    /// <summary>Height in pixels of a line at <paramref name="scale"/>, descender row included.</summary>
    public static int LineHeight(int scale) => GlyphHeight * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y), clipped to the image.</summary>
    public static void DrawText(RgbImage image, string text, int x, int y, int scale, Rgb color)
    {
        if (scale < 1) throw new ArgumentException($"bitmap font: scale {scale} must be at least 1");
        for (int n = 0; n < text.Length; n++)
        {
            int gx = x + n * Advance * scale;
            for (int row = 0; row < GlyphHeight; row++)
                for (int col = 0; col < GlyphWidth; col++)
                    if (Ink(text[n], row, col))
                        Canvas.FillRectangle(image, gx + col * scale, y + row * scale, scale, scale, color);
        }
    }
}
