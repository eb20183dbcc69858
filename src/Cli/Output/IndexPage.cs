using System.Globalization;
using System.Net;
using System.Text;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli.Output;

/// <summary>
/// <c>&lt;out&gt;/index.html</c> of a detect-cam run over several images: per image its contact sheet, a detection
/// table and links to the overlays and raw maps, all relative links, so the folder can be copied and viewed
/// offline. Names come from files and checkpoints, so every one is HTML-escaped (and URL-escaped in links).
/// </summary>
public static class IndexPage
{
    /// <summary>The file name inside the output folder.</summary>
    public const string FileName = "index.html";

    public static string Html(IReadOnlyList<ImageReport> reports, int failures)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>nativecam detect-cam</title>\n<style>")
            .Append("body{font-family:sans-serif;margin:1em}img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}")
            .Append("</style></head><body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{reports.Count} images, {reports.Sum(r => r.Detections.Count)} detections")
            .Append(failures > 0 ? $", {failures} failed" : "").Append("</h1>\n");
        foreach (var r in reports)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(r.Image)}</h2>\n<a href=\"{Link(r.Output, "report.json")}\">report.json</a><br>\n");
            html.Append(CultureInfo.InvariantCulture, $"<img src=\"{Link(r.Output, "sheet.jpg")}\" alt=\"{E(r.Image)} contact sheet\">\n");
            html.Append("<table><tr><th>#</th><th>class</th><th>confidence</th><th>box (x1, y1, x2, y2)</th><th>maps</th></tr>\n");
            foreach (var d in r.Detections)
            {
                var maps = r.Maps.Where(m => m.Detection == d.Index).SelectMany(m =>
                    new[] { (Name: m.Layer, File: (string?)m.File), (Name: m.Layer + " .npy", File: m.RawFile) }).Where(m => m.File != null)
                    .Select(m => $"<a href=\"{Link(r.Output, m.File!)}\">{E(m.Name)}</a>");
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{d.Index}</td><td>{E(d.ClassName)}</td><td>{d.Confidence:0.000}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{string.Join(", ", d.BoxXyxy.Select(v => v.ToString("0.#", CultureInfo.InvariantCulture)))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{string.Join(" ", maps)}</td></tr>\n");
            }
            html.Append("</table></section>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Writes the page into <paramref name="outDir"/> atomically: a temporary file renamed over the old page,
    /// so a reader never sees half a page.</summary>
    public static string Write(string outDir, IReadOnlyList<ImageReport> reports, int failures)
    {
        Directory.CreateDirectory(outDir);
        string final = Path.Join(outDir, FileName);
        string temporary = Path.Join(outDir, $".{FileName}.tmp-{Environment.ProcessId}");
        File.WriteAllText(temporary, Html(reports, failures));
        File.Move(temporary, final, overwrite: true);
        return final;
    }

    static string E(string text) => WebUtility.HtmlEncode(text);

    static string Link(string folder, string file) => E(Uri.EscapeDataString(folder) + "/" + Uri.EscapeDataString(file));
}
