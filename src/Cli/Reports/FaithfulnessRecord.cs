using NativeCam.Cam.Faithfulness;

namespace NativeCam.Cli.Reports;

/// <summary>One map's faithfulness in report.json (docs/report.md, docs/cam.md "Faithfulness"): changes are the
/// confidence after the perturbation minus before, as pytorch-grad-cam's metrics.</summary>
public sealed record FaithfulnessRecord(double Confidence, double CamMultChange, double Drop, double DropRelative, bool Increase,
    IReadOnlyList<double> RoadPercentiles, IReadOnlyList<double> RoadMostRelevantFirst, IReadOnlyList<double> RoadLeastRelevantFirst,
    double RoadCombined, double DeletionAuc, double InsertionAuc, IReadOnlyList<double> DeletionCurve, IReadOnlyList<double> InsertionCurve)
{
    /// <summary>The record of <paramref name="s"/>, numbers rounded to 7 decimals.</summary>
    public static FaithfulnessRecord From(FaithfulnessScores s, FaithfulnessOptions options)
    {
        static double R(double v) => Math.Round(v, 7);
        static double[] A(IEnumerable<double> v) => v.Select(R).ToArray();
        return new(R(s.Confidence), R(s.CamMultChange), R(s.Drop), R(s.DropRelative), s.Increase, options.Percentiles.ToArray(),
            A(s.RoadMostRelevantFirst), A(s.RoadLeastRelevantFirst), R(s.RoadCombined), R(s.DeletionAuc), R(s.InsertionAuc),
            A(s.DeletionCurve), A(s.InsertionCurve));
    }

    /// <summary>The short form a contact-sheet caption shows: ROAD combined and the two AUCs (not in the report).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Caption => FormattableString.Invariant($"ROAD {RoadCombined:+0.000;-0.000} del {DeletionAuc:0.00} ins {InsertionAuc:0.00}");
}
