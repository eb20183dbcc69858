using System.Text.Json;
using NativeCam.Cam.Render;
using NativeCam.Imaging;

namespace NativeCam;

/// <summary>
/// What <see cref="Explainer.Explain(string, NativeCam.Cam.CamMethod?, int, IReadOnlyList{string}?)"/> found: the
/// targets with their maps and overlays, on <see cref="Image"/> (the original image for detectors, the centre crop
/// the network saw for classifiers). Plain host data: nothing to dispose.
/// </summary>
public sealed class Explanation(string source, RgbImage image, string method, IReadOnlyList<ExplainedTarget> targets)
{
    /// <summary>The image file name (or "image" for an image given in memory).</summary>
    public string Source { get; } = source;

    /// <summary>The picture the maps align with, pixel for pixel.</summary>
    public RgbImage Image { get; } = image;

    /// <summary>The method's name (layercam, gradcam, ...).</summary>
    public string Method { get; } = method;

    /// <summary>The detections or classes, each with its map.</summary>
    public IReadOnlyList<ExplainedTarget> Targets { get; } = targets;

    /// <summary>Target <paramref name="index"/>'s map blended on the image (with its box, for detections).</summary>
    public RgbImage Overlay(int index) => Targets[index].Overlay;

    /// <summary>
    /// The contact sheet the CLI draws (docs/rendering.md): the image with every target's box and a colour-bar legend,
    /// then one captioned tile per target (what it explains, the method, the map's range), at most 1800 px wide.
    /// </summary>
    public RgbImage Sheet()
    {
        var overview = new GridTile(Image, [$"{Source} {Image.Width}x{Image.Height}", $"{Targets.Count} target(s)"],
            Targets.Where(t => t.Box is not null)
                .Select(t => new LabeledBox(t.Box!.Value, Annotator.Label(t.Label, (float)t.Score), Palette.ForClass(t.ClassId))).ToList());
        var rows = Targets.Select(t => (IReadOnlyList<GridTile?>)[new GridTile(t.Overlay,
            SheetText.Caption($"{t.Index} {t}", Method, "default layers", null, Stats(t.Map), guided: false), [])]).ToList();
        var legend = SheetText.Legend([$"nativecam: {Method}", "one tile per target"], null, allGuided: false, anyGuided: false);
        return GridSheet.Compose(overview, legend, rows);
    }

    static MapStats Stats(float[,] map)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in map) (min, max) = (Math.Min(min, v), Math.Max(max, v));
        return map.Length == 0 ? new MapStats(0, 0, true) : new MapStats(min, max, !(max > min));
    }

    /// <summary>
    /// Writes <c>&lt;index&gt;_&lt;label&gt;.jpg</c> per target, <c>sheet.jpg</c> and <c>explanation.json</c> (each target's
    /// label, score, box and overlay file) into <paramref name="folder"/>, created if needed; returns the files written.
    /// </summary>
    public IReadOnlyList<string> Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var records = new List<object>();
        foreach (var t in Targets)
        {
            string file = $"{t.Index}_{FileSafe(t.Label)}.jpg";
            ImageFiles.SaveJpeg(t.Overlay, Path.Join(folder, file));
            written.Add(Path.Join(folder, file));
            records.Add(new { t.Index, t.ClassId, t.Label, t.Score, Box = t.Box is { } b ? new[] { b.X1, b.Y1, b.X2, b.Y2 } : null, File = file });
        }
        ImageFiles.SaveJpeg(Sheet(), Path.Join(folder, "sheet.jpg"), SheetText.JpegQuality);
        written.Add(Path.Join(folder, "sheet.jpg"));
        var json = JsonSerializer.Serialize(new { Image = Source, Method, Targets = records },
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true });
        File.WriteAllText(Path.Join(folder, "explanation.json"), json);
        written.Add(Path.Join(folder, "explanation.json"));
        return written;
    }

    /// <summary>A label as a file-name part ("traffic light" → "traffic-light"), at most 40 characters: labels come
    /// from the checkpoint.</summary>
    static string FileSafe(string label) => string.Concat(label.Take(40).Select(ch => char.IsLetterOrDigit(ch) ? ch : '-'));
}
