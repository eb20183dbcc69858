using NativeCam.Cli.Reports;
using NativeCam.Detectors;

namespace NativeCam.Cli;

/// <summary>`nativecam detect` on a torchvision RetinaNet file: detections as torchvision's model(images) returns them, with the level and anchor of each.</summary>
public static class RetinaDetect
{
    /// <summary>Prints each image's detections (text or one JSON array); returns the exit code.</summary>
    public static int Run(DetectOptions.Settings settings, IReadOnlyList<string> files, bool json)
    {
        if (settings.Tensor != null) throw new CliError("--tensor: not available for RetinaNet (its transform resizes the image itself)");
        using var device = CommonOptions.OpenDevice(settings.Device);
        using var model = RetinaFiles.Load(device, settings.Weights, RetinaFiles.Options(settings));
        var names = RetinaFiles.Names(model);
        var reports = new List<object>();
        int failures = PerInput.Each(files.Count, k =>
        {
            var image = ImageInputs.Decode(files[k], settings.MaxPixels);
            var records = model.Detect(image).Select((d, i) => Record(i, d, names)).ToList();
            if (json) reports.Add(new { image = Path.GetFileName(files[k]), family = model.Arch.Name, detections = records });
            else
            {
                Console.WriteLine($"{Path.GetFileName(files[k])}: {image.Width}x{image.Height} {records.Count} detections ({model.Arch.Name})");
                foreach (var r in records)
                    Console.WriteLine($"  {r.class_name,-14} {r.score:F2}  [{string.Join(", ", r.box_xyxy.Select(v => v.ToString("F1")))}]  level P{r.level + 3} anchor {r.anchor}");
            }
        });
        if (json) Console.WriteLine(ReportJson.Serialize(reports));
        return PerInput.ExitCode(failures);
    }

    /// <summary>One detection as report.json and --json write it (level 0…4 is P3…P7; anchor in the level's flattened order).</summary>
    public sealed record DetectionJson(int index, int label, string class_name, double score, double[] box_xyxy, int level, int anchor);

    /// <summary>The JSON record of detection <paramref name="i"/>.</summary>
    public static DetectionJson Record(int i, RetinaDetection d, IReadOnlyList<string> names) => new(i, d.Label, names[d.Label], Math.Round(d.Score, 6),
        [Math.Round(d.Box.X1, 3), Math.Round(d.Box.Y1, 3), Math.Round(d.Box.X2, 3), Math.Round(d.Box.Y2, 3)], d.Level, d.Anchor);
}
