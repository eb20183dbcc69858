using NativeCam.Imaging;

namespace NativeCam.Cam.Render;

/// <summary>
/// Deletion and insertion curves as one picture (<c>curves.png</c> of <c>--metrics</c> / <c>--faithfulness</c>): two panels,
/// deletion left, insertion right, x the fraction of pixels deleted or inserted (0 → 1), y the target's confidence
/// (0 → the largest value drawn), one coloured polyline per map with its label and AUC in the legend below.
/// </summary>
public static class CurvePlot
{
    const int Panel = 300, Margin = 36, Gap = 24, Line = 12;

    /// <summary>The picture for curves (label, deletion, insertion); every curve is sampled evenly on [0, 1].</summary>
    public static RgbImage Draw(IReadOnlyList<(string Label, IReadOnlyList<double> Deletion, IReadOnlyList<double> Insertion)> curves)
    {
        int width = 2 * Panel + 2 * Margin + Gap, height = Margin + Panel + Margin + curves.Count * Line + 8;
        var image = new RgbImage(height, width, new byte[height * width * 3]);
        Canvas.FillRectangle(image, 0, 0, width, height, Rgb.White);
        double top = Math.Max(1e-12, curves.SelectMany(c => c.Deletion.Concat(c.Insertion)).DefaultIfEmpty(1).Max());
        var grey = new Rgb(120, 120, 120);
        for (int panel = 0; panel < 2; panel++)
        {
            int x0 = Margin + panel * (Panel + Gap), y0 = Margin;
            Canvas.Rectangle(image, x0, y0, x0 + Panel, y0 + Panel, grey, 1);
            BitmapFont.DrawText(image, panel == 0 ? "deletion (lower AUC is better)" : "insertion (higher AUC is better)", x0, 12, 1, Rgb.Black);
            BitmapFont.DrawText(image, "0", x0 - 3, y0 + Panel + 6, 1, Rgb.Black);
            BitmapFont.DrawText(image, "1", x0 + Panel - 3, y0 + Panel + 6, 1, Rgb.Black);
            BitmapFont.DrawText(image, "fraction of pixels", x0 + Panel / 2 - 54, y0 + Panel + 6, 1, grey);
            BitmapFont.DrawText(image, SheetText.Number(top), x0 + 2, y0 + 2, 1, grey);
            for (int i = 0; i < curves.Count; i++)
            {
                var values = panel == 0 ? curves[i].Deletion : curves[i].Insertion;
                var colour = Palette.Colors[i % Palette.Colors.Count];
                for (int s = 1; s < values.Count; s++)
                    Segment(image, Point(x0, y0, s - 1, values.Count, values[s - 1], top), Point(x0, y0, s, values.Count, values[s], top), colour);
            }
        }
        for (int i = 0; i < curves.Count; i++)
        {
            int y = Margin + Panel + Margin + i * Line;
            var c = curves[i];
            Canvas.FillRectangle(image, Margin, y + 2, 10, 4, Palette.Colors[i % Palette.Colors.Count]);
            BitmapFont.DrawText(image, $"{c.Label}  deletion AUC {c.Deletion.Auc():0.000}  insertion AUC {c.Insertion.Auc():0.000}", Margin + 16, y, 1, Rgb.Black);
        }
        return image;
    }

    static double Auc(this IReadOnlyList<double> curve) => Faithfulness.FaithfulnessMetrics.Auc(curve);

    static (int X, int Y) Point(int x0, int y0, int s, int count, double v, double top) =>
        (x0 + (int)Math.Round((double)s / (count - 1) * Panel), y0 + Panel - (int)Math.Round(Math.Clamp(v / top, 0, 1) * Panel));

    // A 2-pixel line from a to b (Bresenham-style stepping along the longer axis).
    static void Segment(RgbImage image, (int X, int Y) a, (int X, int Y) b, Rgb colour)
    {
        int steps = Math.Max(Math.Abs(b.X - a.X), Math.Abs(b.Y - a.Y));
        for (int i = 0; i <= steps; i++)
        {
            double t = steps == 0 ? 0 : (double)i / steps;
            Canvas.FillRectangle(image, (int)Math.Round(a.X + t * (b.X - a.X)), (int)Math.Round(a.Y + t * (b.Y - a.Y)), 2, 2, colour);
        }
    }
}
