using System.Globalization;
using System.Net;
using System.Text;

namespace NativeCam.Cli.Output;

/// <summary>A link of the index: its text and a file relative to the image's result folder.</summary>
public sealed record IndexLink(string Text, string File);

/// <summary>A table cell of the index: text, then links.</summary>
public sealed record IndexCell(string Text, IReadOnlyList<IndexLink> Links)
{
    /// <summary>A cell of text only.</summary>
    public static implicit operator IndexCell(string text) => new(text, []);
}

/// <summary>One image of the index: its name, result folder, contact sheet, the table of its detections or classes,
/// and links to its other files (report.json, raw maps).</summary>
public sealed record IndexEntry(string Image, string Output, string? Sheet, IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<IndexCell>> Rows, IReadOnlyList<IndexLink> Files);

/// <summary>
/// <c>&lt;out&gt;/index.html</c> of a run over several images (detect-cam, classify-cam, vit-cam): per image its
/// contact sheet, its detections or classes as a table, and links to its overlays, raw maps and report. Only
/// relative links and inline style: the folder can be copied and viewed offline, and the page loads nothing from
/// the network (its Content-Security-Policy forbids scripts and remote content outright). Names come from files and
/// checkpoints, so every text is HTML-escaped and every link URL-encoded segment by segment.
/// </summary>
public static class IndexPage
{
    /// <summary>The file name inside the output folder.</summary>
    public const string FileName = "index.html";

    /// <summary>The first line of every index NativeCam writes: a rerun replaces only a file that starts with it.</summary>
    public const string Marker = "<!DOCTYPE html><!-- nativecam index -->";

    /// <summary>The page for <paramref name="command"/>'s <paramref name="entries"/>, headed by <paramref name="summary"/>.</summary>
    public static string Html(string command, string summary, IReadOnlyList<IndexEntry> entries)
    {
        var html = new StringBuilder();
        html.Append(Marker).Append("\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'\">\n")
            .Append(CultureInfo.InvariantCulture, $"<title>nativecam {E(command)}</title>\n<style>")
            .Append("body{font-family:sans-serif;margin:1em;color:#222}img{max-width:min(100%,1200px);height:auto;border:1px solid #ddd}")
            .Append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}")
            .Append("section{margin-bottom:2em}nav a,td a{margin-right:.6em}")
            .Append("</style></head><body>\n")
            .Append(CultureInfo.InvariantCulture, $"<h1>nativecam {E(command)}</h1>\n<p>{E(summary)}</p>\n<nav>");
        for (int i = 0; i < entries.Count; i++) html.Append(CultureInfo.InvariantCulture, $"<a href=\"#img{i}\">{E(entries[i].Image)}</a>");
        html.Append("</nav>\n");
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            html.Append(CultureInfo.InvariantCulture, $"<section id=\"img{i}\"><h2>{E(e.Image)}</h2>\n<p>");
            foreach (var f in e.Files) html.Append(A(e.Output, f));
            html.Append("</p>\n");
            html.Append("<table><tr>");
            foreach (var c in e.Columns) html.Append(CultureInfo.InvariantCulture, $"<th>{E(c)}</th>");
            html.Append("</tr>\n");
            foreach (var row in e.Rows)
            {
                html.Append("<tr>");
                foreach (var cell in row)
                    html.Append("<td>").Append(E(cell.Text)).Append(string.Concat(cell.Links.Select(l => A(e.Output, l)))).Append("</td>");
                html.Append("</tr>\n");
            }
            html.Append("</table>\n");
            if (e.Sheet != null)
                html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Link(e.Output, e.Sheet)}\"><img src=\"{Link(e.Output, e.Sheet)}\" loading=\"lazy\" alt=\"contact sheet of {E(e.Image)}\"></a>\n");
            html.Append("</section>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Writes the page into the output folder through <paramref name="staging"/> (staged, then renamed: never
    /// half a page); an <c>index.html</c> there that NativeCam did not write is left alone with a warning. Returns the
    /// page's path, or null when it was not written.</summary>
    public static string? Write(StagingArea staging, string command, string summary, IReadOnlyList<IndexEntry> entries)
    {
        string? path = staging.CommitFile(FileName, Html(command, summary, entries), IsIndex);
        if (path is null) Console.Error.WriteLine($"warning: {Path.Join(staging.Root, FileName)} exists and was not written by NativeCam: left as it was, no index written");
        return path;
    }

    /// <summary>Whether the file at <paramref name="path"/> is an index NativeCam wrote (it starts with <see cref="Marker"/>).</summary>
    public static bool IsIndex(string path)
    {
        var head = new char[Marker.Length];
        using var reader = new StreamReader(path, Encoding.UTF8);
        return reader.ReadBlock(head, 0, head.Length) == head.Length && new string(head) == Marker;
    }

    static string A(string folder, IndexLink link) => $"<a href=\"{Link(folder, link.File)}\">{E(link.Text)}</a>";

    static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A relative link to <paramref name="file"/> in the result folder <paramref name="folder"/>: each segment
    /// URL-encoded (a name may hold '#', '?', '%' or spaces), then HTML-escaped for the attribute.</summary>
    public static string Link(string folder, string file) => E(Uri.EscapeDataString(folder) + "/" + Uri.EscapeDataString(file));
}
