using NativeCam.Cam.Faithfulness;
using NativeCam.Cam.Metrics;

namespace NativeCam.Cli.Metrics;

/// <summary>One combination of the study, its measures pooled over every detection of every image.</summary>
public sealed record StudyRow(string Method, string Layer, string Score, string Region,
    IReadOnlyList<MapQuality> Detections, double ComputeMs, IReadOnlyList<FaithfulnessScores>? Faithful = null)
{
    /// <summary>--faithfulness, averaged over the detections: ROAD combined, deletion and insertion AUC, confidence change,
    /// average drop (max(0, Y − O)/Y, in %) and the share of increases (in %); null without it.</summary>
    public (double Road, double Deletion, double Insertion, double CamMult, double AverageDropPercent, double IncreasePercent)? FaithfulMeans =>
        Faithful is not { Count: > 0 } f ? null : (f.Average(s => s.RoadCombined), f.Average(s => s.DeletionAuc), f.Average(s => s.InsertionAuc),
            f.Average(s => s.CamMultChange), 100 * f.Average(s => s.DropRelative), 100.0 * f.Count(s => s.Increase) / f.Count);

    public double EnergyInBox => Detections.Count == 0 ? 0 : Detections.Average(d => d.EnergyInBox);
    public int PointingHits => Detections.Count(d => d.Pointing);
    public double LocalisationIoU => Detections.Count == 0 ? 0 : Detections.Average(d => d.LocalisationIoU);
    public double? Distinctness => Detections.Any(d => d.Distinctness is not null) ? Detections.Where(d => d.Distinctness is not null).Average(d => d.Distinctness!.Value) : null;
    public int LikeAnother => Detections.Count(d => d.LikeAnother);

    /// <summary>Meets issue #20's bars: energy ≥ 0.6, pointing ≥ 7/8 of the detections, localisation IoU ≥ 0.45, no
    /// map correlating &gt; 0.95 with another's.</summary>
    public bool MeetsBars => EnergyInBox >= 0.6 && PointingHits >= 7.0 / 8 * Detections.Count && LocalisationIoU >= 0.45 && LikeAnother == 0;
}
