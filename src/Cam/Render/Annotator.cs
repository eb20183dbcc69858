using System.Globalization;
using System.Numerics;
using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>
/// Draws labelled boxes (a detector family turns its detections into <see cref="LabeledBox"/>es) on a host RGB image in YOLOv5's style (utils/plots.py Annotator.box_label): a box outline
/// of <see cref="LineWidth"/> = max(round((H + W + 3) / 2 · 0.003), 2) pixels in the class colour, and above its
/// top-left corner (inside the box when there is no room above) a label box filled with the same colour holding
/// the text <c>class conf</c> in white, written with <see cref="BitmapFont"/> at <see cref="FontScale"/>.
/// </summary>
public sealed class Annotator
{
    public RgbImage Image { get; }
    public int LineWidth { get; }

    /// <summary>Font pixel size; default = <see cref="LineWidth"/>, which makes capitals 7·lw pixels tall,
    /// close to the 22·lw/3 of YOLOv5's Hershey font at fontScale lw/3.</summary>
    public int FontScale { get; }

    public Annotator(RgbImage image, int? lineWidth = null, int? fontScale = null)
    {
        Image = image;
        LineWidth = lineWidth ?? DefaultLineWidth(image.Height, image.Width);
        FontScale = fontScale ?? LineWidth;
        if (LineWidth < 1 || FontScale < 1)
            throw new ArgumentException($"annotator: line width {LineWidth} and font scale {FontScale} must be at least 1");
    }

    /// <summary>YOLOv5's lw = max(round(sum(im.shape) / 2 · 0.003), 2) with im.shape = (H, W, 3), Python's round.</summary>
    public static int DefaultLineWidth(int height, int width) =>
        Math.Max((int)Math.Round((height + width + 3) / 2.0 * 0.003, MidpointRounding.ToEven), 2);

    /// <summary>YOLOv5's label text f'{name} {conf:.2f}', e.g. "person 0.88".</summary>
    public static string Label(string className, float confidence) => className + " " + TwoDecimals(confidence);

    /// <summary>Python's '{:.2f}' of a float: the exact binary value rounded half to even at two decimals (.NET's
    /// "0.00" rounds exact ties such as 0.125 away from zero, Python to even).</summary>
    public static string TwoDecimals(double value)
    {
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        bool negative = value < 0;
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)(bits >> 52 & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        int shift = exponent - 1075;                                   // |value| = mantissa · 2^shift
        BigInteger hundredths;
        if (shift >= 0) hundredths = new BigInteger(mantissa) * 100 << shift;
        else
        {
            var numerator = new BigInteger(mantissa) * 100;
            var denominator = BigInteger.One << -shift;
            hundredths = BigInteger.DivRem(numerator, denominator, out var rest);
            int half = (rest * 2).CompareTo(denominator);
            if (half > 0 || half == 0 && !hundredths.IsEven) hundredths += 1;
        }
        var whole = BigInteger.DivRem(hundredths, 100, out var cents);
        return (negative ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture) + "." + ((int)cents).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>The label box's padding around the text (one font pixel), on every side.</summary>
    public int LabelPadding => FontScale;

    /// <summary>Size of the filled label box for <paramref name="text"/>: text plus padding; the descender
    /// row sits in the bottom padding.</summary>
    public (int Width, int Height) LabelSize(string text) =>
        (BitmapFont.MeasureWidth(text, FontScale) + 2 * LabelPadding, BitmapFont.CapHeight * FontScale + 2 * LabelPadding);

    /// <summary>Where <c>BoxLabel</c> puts the label box for a box whose top-left corner is (x1, y1):
    /// above the corner when it fits, else just inside; shifted left if it would leave the image.</summary>
    public (int X, int Y, int Width, int Height) LabelBox(int x1, int y1, string text)
    {
        var (w, h) = LabelSize(text);
        int y = y1 - h >= 0 ? y1 - h : y1;
        int x = Math.Max(0, Math.Min(x1, Image.Width - w));
        return (x, y, w, h);
    }

    /// <summary>Outlines <paramref name="box"/> (corners truncated to whole pixels, as YOLOv5's int()) and, unless
    /// <paramref name="label"/> is null or empty, draws its label box.</summary>
    public void BoxLabel(Box box, string? label, Rgb color) => BoxLabel(box, label, color, Rgb.White);

    public void BoxLabel(Box box, string? label, Rgb color, Rgb textColor)
    {
        int x1 = (int)box.X1, y1 = (int)box.Y1, x2 = (int)box.X2, y2 = (int)box.Y2;
        Canvas.Rectangle(Image, x1, y1, x2, y2, color, LineWidth);
        if (string.IsNullOrEmpty(label)) return;
        var (x, y, w, h) = LabelBox(x1, y1, label);
        Canvas.FillRectangle(Image, x, y, w, h, color);
        BitmapFont.DrawText(Image, label, x + LabelPadding, y + LabelPadding, FontScale, textColor);
    }

    /// <summary>Draws <paramref name="box"/>: its outline and label in its colour (see <see cref="BoxLabel(Box, string?, Rgb)"/>).</summary>
    public void Draw(LabeledBox box) => BoxLabel(box.Box, box.Label, box.Color);

    /// <summary>
    /// Draws several boxes on one image: every outline first, then every label where <see cref="LabelLayout"/> puts
    /// it, so that labels never cover each other or leave the image (YOLOv5 stacks them where boxes share a corner).
    /// A label wider than the image is cut and ends in "..". Returns the labels' places (null: no room, not drawn).
    /// </summary>
    public LabelRect?[] DrawAll(IReadOnlyList<LabeledBox> boxes)
    {
        var corners = boxes.Select(b => ((int)b.Box.X1, (int)b.Box.Y1, (int)b.Box.X2, (int)b.Box.Y2)).ToList();
        foreach (var (b, (x1, y1, x2, y2)) in boxes.Zip(corners)) Canvas.Rectangle(Image, x1, y1, x2, y2, b.Color, LineWidth);
        var texts = boxes.Select(b => b.Label is null ? "" : FitText(b.Label, Image.Width - 2 * LabelPadding, FontScale)).ToList();
        var places = LabelLayout.Place(corners, texts.Select(t => t.Length == 0 ? (0, 0) : LabelSize(t)).ToList(), Image.Width, Image.Height);
        for (int i = 0; i < boxes.Count; i++)
        {
            if (places[i] is not { } p) continue;
            Canvas.FillRectangle(Image, p.X, p.Y, p.Width, p.Height, boxes[i].Color);
            BitmapFont.DrawText(Image, texts[i], p.X + LabelPadding, p.Y + LabelPadding, FontScale, Rgb.White);
        }
        return places;
    }

    /// <summary><paramref name="text"/> if it is at most <paramref name="width"/> pixels wide at <paramref name="scale"/>,
    /// else as many leading characters as fit followed by "..".</summary>
    public static string FitText(string text, int width, int scale)
    {
        if (BitmapFont.MeasureWidth(text, scale) <= width) return text;
        int fit = Math.Max(0, (width / scale + 1) / BitmapFont.Advance - 2);
        return fit == 0 ? "" : text[..Math.Min(fit, text.Length)] + "..";
    }
}
