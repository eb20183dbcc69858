namespace NativeCam.Cam.Faithfulness;

/// <summary>
/// One map's faithfulness (docs/cam.md, "Faithfulness"): each change is confidence after the perturbation minus
/// confidence before, as pytorch-grad-cam's metrics return it.
/// </summary>
/// <param name="Confidence">The target's confidence on the unperturbed input (Y).</param>
/// <param name="CamMultChange">O − Y, O the confidence on the input multiplied by the map (<c>CamMultImageConfidenceChange</c>); higher is better.</param>
/// <param name="Drop">max(0, Y − O) (<c>DropInConfidence</c>); lower is better.</param>
/// <param name="DropRelative">max(0, Y − O) / Y, the Grad-CAM++ paper's per-image average drop (0 when Y = 0); lower is better.</param>
/// <param name="Increase">O &gt; Y (<c>IncreaseInConfidence</c>); its mean over maps is the increase-in-confidence rate.</param>
/// <param name="RoadMostRelevantFirst">Per percentile, the change when the pixels above it are imputed; lower (more negative) is better.</param>
/// <param name="RoadLeastRelevantFirst">Per percentile, the change when the least relevant pixels are imputed; higher is better.</param>
/// <param name="RoadCombined">(mean least-relevant-first − mean most-relevant-first) / 2 (<c>ROADCombined</c>); higher is better.</param>
/// <param name="DeletionAuc">Area under the confidence as the most relevant pixels are set to 0, fraction 0 → 1; lower is better.</param>
/// <param name="InsertionAuc">Area under the confidence as the most relevant pixels are put back on a zero input; higher is better.</param>
/// <param name="DeletionCurve">Confidence after deleting 0, 1/Steps, ..., all of the pixels.</param>
/// <param name="InsertionCurve">Confidence after inserting 0, 1/Steps, ..., all of the pixels.</param>
public sealed record FaithfulnessScores(double Confidence, double CamMultChange, double Drop, double DropRelative, bool Increase,
    IReadOnlyList<double> RoadMostRelevantFirst, IReadOnlyList<double> RoadLeastRelevantFirst, double RoadCombined,
    double DeletionAuc, double InsertionAuc, IReadOnlyList<double> DeletionCurve, IReadOnlyList<double> InsertionCurve);
