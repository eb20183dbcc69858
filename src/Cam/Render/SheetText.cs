using System.Globalization;

namespace NativeCam.Cam.Render;

/// <summary>The words on every command's contact sheet: what a tile's colours span, what the colour bar means, and the
/// sheet's JPEG quality.</summary>
public static class SheetText
{
    /// <summary>JPEG quality of sheet.jpg (overlays keep <see cref="ImageFiles.DefaultJpegQuality"/>): a 1800-pixel sheet
    /// of photographs is about 0.5–1 MB at 90, where 95 nearly doubles it for no visible gain.</summary>
    public const int JpegQuality = 90;

    /// <summary>A tile's caption: what it explains (<paramref name="target"/>, "0 person 0.88"), the method and layer that
    /// made it — on every tile, so a sheet cut into pieces still says what each piece is —, an optional quality line
    /// ("in-box 67%") and what its colours span (<see cref="Range"/>).</summary>
    public static IReadOnlyList<string> Caption(string target, string method, string layer, string? quality, MapStats stats, bool guided) =>
        quality is null ? [target, $"{method} {layer}", Range(stats, guided)] : [target, $"{method} {layer}", quality, Range(stats, guided)];

    /// <summary>A tile's caption line saying what its colours span: the map's own raw range (blue … red), or for a
    /// guided picture its raw gradient range (grey is zero).</summary>
    public static string Range(MapStats stats, bool guided) =>
        stats.Empty ? (guided ? "no gradient" : "empty map: no heat") : $"{(guided ? "gradient" : "range")} {Number(stats.Min)} .. {Number(stats.Max)}";

    /// <summary>The legend: <paramref name="title"/>, then what the colour bar's ends mean — each map's own min and max,
    /// or the one shared range's numbers (--shared-scale); grey for sheets of guided pictures only.</summary>
    public static SheetLegend Legend(IReadOnlyList<string> title, MapStats? shared, bool allGuided, bool anyGuided)
    {
        var lines = title.ToList();
        if (allGuided)
        {
            lines.Add("grey: the input gradient, mid grey = 0, +-5 sd saturate");
            return new SheetLegend(lines, "-5 sd", "+5 sd", Grey: true);
        }
        lines.Add(shared is not null
            ? "colours: one scale for every map (--shared-scale)"
            : "colours: each map from its own min to its own max");
        if (anyGuided) lines.Add("guided-gradcam tiles: grey, mid grey = 0");
        return shared is { } r ? new SheetLegend(lines, $"min {Number(r.Min)}", $"max {Number(r.Max)}") : new SheetLegend(lines, "map's min", "map's max");
    }

    /// <summary>A map value in at most four significant digits.</summary>
    public static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
