using System.Globalization;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>Human one-liners.</summary>
public static class Summary
{
    /// <summary>"4 person, 1 bus" in order of first appearance; "no detections" when empty.</summary>
    public static string Counts(IEnumerable<DetectionRecord> detections)
    {
        var groups = detections.GroupBy(d => d.ClassName).Select(g => $"{g.Count()} {g.Key}").ToList();
        return groups.Count == 0 ? "no detections" : string.Join(", ", groups);
    }

    /// <summary>The end of a run over several images: "3 images, 12 detections, 0 failed in 4.1 s".</summary>
    public static string Run(int images, int count, string unit, int failures, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{images} images, {count} {unit}, {failures} failed in {elapsed.TotalSeconds:F1} s");

    /// <summary>Ends a run over several inputs: <see cref="Run"/>'s line on stderr, after <c>&lt;out&gt;/index.html</c>
    /// is written from <paramref name="entries"/> (when any image was done).</summary>
    public static void EndFolderRun(StagingArea staging, string outDir, string command, string summary, IReadOnlyList<IndexEntry> entries)
    {
        bool index = entries.Count > 0 && IndexPage.Write(staging, command, summary, entries) != null;
        Console.Error.WriteLine(summary + (index ? $" -> {Path.Join(outDir, IndexPage.FileName)}" : ""));
    }
}
