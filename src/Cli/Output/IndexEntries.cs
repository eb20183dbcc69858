using System.Globalization;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli.Output;

/// <summary>Each command's report.json as an entry of <see cref="IndexPage"/>: the table a person reads first, the
/// links to every file the report names.</summary>
public static class IndexEntries
{
    static readonly IndexLink Report = new("report.json", "report.json");

    /// <summary>detect-cam: one row per detection with links to its overlays and raw maps.</summary>
    public static IndexEntry From(ImageReport r) => new(r.Image, r.Output, "sheet.jpg",
        ["#", "class", "confidence", "box (x1, y1, x2, y2)", "maps"],
        r.Detections.Select(d => (IReadOnlyList<IndexCell>)
        [
            d.Index.ToString(CultureInfo.InvariantCulture), d.ClassName, F(d.Confidence, "0.000"),
            string.Join(", ", d.BoxXyxy.Select(v => F(v, "0.#"))),
            new IndexCell("", r.Maps.Where(m => m.Detection == d.Index).SelectMany(MapLinks).ToList()),
        ]).ToList(), [Report]);

    /// <summary>classify-cam: one row per explained class with links to its overlays and raw maps.</summary>
    public static IndexEntry From(ClassifyCamReport r) => new(r.Image, r.Output, r.Sheet,
        ["class", "name", "probability", "maps"],
        r.Explained.Select(c => (IReadOnlyList<IndexCell>)
        [
            c.ClassId.ToString(CultureInfo.InvariantCulture), c.ClassName, F(c.Probability, "0.000"),
            new IndexCell("", r.Maps.Where(m => m.ClassId == c.ClassId).SelectMany(m => Links(m.Method + " " + m.Layer, m.File, m.Raw)).ToList()),
        ]).ToList(), [Report]);

    /// <summary>vit-cam: the top-5 classes, the explained one with links to its map.</summary>
    public static IndexEntry From(VitCamReport r) => new(r.Image, r.Output, r.Sheet,
        ["class", "name", "probability", "map"],
        r.Logits.Select(c => (c.ClassId, c.ClassName, c.Probability))
            .Concat(r.Logits.Any(c => c.ClassId == r.ClassId) ? [] : [(r.ClassId, r.ClassName, r.ClassProbability)]) // --class outside the top 5
            .Select(c => (IReadOnlyList<IndexCell>)
        [
            c.ClassId.ToString(CultureInfo.InvariantCulture), c.ClassName, F(c.Probability, "0.000"),
            new IndexCell("", c.ClassId == r.ClassId ? Links(r.Method, r.Map.File, r.Map.RawFile).ToList() : []),
        ]).ToList(), [Report]);

    // A detect-cam map: its overlay, its raw map, and a fused map's raw layer maps.
    static IEnumerable<IndexLink> MapLinks(MapRecord m) => Links(m.Method + " " + m.Layer, m.File, m.RawFile)
        .Concat(m.Parts.Where(p => p.RawFile != null).Select(p => new IndexLink(p.Layer + " .npy", p.RawFile!)));

    static IEnumerable<IndexLink> Links(string name, string file, string? raw) =>
        raw is null ? [new IndexLink(name, file)] : [new IndexLink(name, file), new IndexLink(".npy", raw)];

    static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
