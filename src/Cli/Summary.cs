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
}
