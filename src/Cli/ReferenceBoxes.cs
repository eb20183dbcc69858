using System.Text.Json;
using NativeCam.Imaging;

namespace NativeCam.Cli;

/// <summary>--boxes FILE.json for --target-mode match-box: reference boxes in original-image pixels with their class, as
/// <c>[{"box": [x1, y1, x2, y2], "class": 0}, ...]</c>, or a detect-cam report.json (its <c>detections</c>' <c>box_xyxy</c>
/// and <c>class_id</c>), so one run's detections can be the next run's references.</summary>
public static class ReferenceBoxes
{
    /// <summary>The boxes of <paramref name="path"/>; anything else than the forms above is a one-line CliError.</summary>
    public static IReadOnlyList<(Box Box, int ClassId)> Load(string path)
    {
        InputFile.Check(path);
        if (new FileInfo(path).Length > 16 << 20) throw new CliError($"--boxes {path}: larger than 16 MiB");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detections", out var d)) root = d;
            if (root.ValueKind != JsonValueKind.Array) throw new FormatException("expected an array of boxes or a report.json");
            return root.EnumerateArray().Select(One).ToArray();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new CliError($"--boxes {path}: {e.Message.Split('\n')[0]} (expected [{{\"box\": [x1, y1, x2, y2], \"class\": id}}, ...] in image pixels)");
        }
    }

    static (Box, int) One(JsonElement e)
    {
        var box = (e.TryGetProperty("box", out var b) ? b : e.GetProperty("box_xyxy")).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        int cls = (e.TryGetProperty("class", out var c) ? c : e.GetProperty("class_id")).GetInt32();
        if (box.Length != 4 || box.Any(v => !float.IsFinite(v)) || box[2] < box[0] || box[3] < box[1] || cls < 0)
            throw new FormatException($"a box must be 4 finite numbers x1 <= x2, y1 <= y2 and a class id >= 0, got [{string.Join(", ", box)}] class {cls}");
        return (new Box(box[0], box[1], box[2], box[3]), cls);
    }
}
