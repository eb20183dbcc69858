using NativeCam.Imaging;

namespace NativeCam.Cam.Metrics;

/// <summary>One detection's map measured against its box and the other detections' maps (docs/cam.md).</summary>
/// <param name="EnergyInBox">Share of the map's positive mass inside the box.</param>
/// <param name="Pointing">Whether the map's maximum is inside the box.</param>
/// <param name="LocalisationIoU">IoU of the largest region ≥ 15 % of the maximum (its bounding box) with the box.</param>
/// <param name="Distinctness">1 − the highest correlation with another detection's map (null: no other detection).</param>
/// <param name="NearestOther">The detection whose map correlates most with this one (null: no other detection).</param>
public sealed record MapQuality(double EnergyInBox, bool Pointing,
    [property: System.Text.Json.Serialization.JsonPropertyName("localisation_iou")] double LocalisationIoU, double? Distinctness, int? NearestOther)
{
    /// <summary>Maps correlating above this with another detection's are "(nearly) identical" (the bar).</summary>
    public const double SameMapCorrelation = 0.95;

    /// <summary>Whether this map is (nearly) identical to another detection's.</summary>
    public bool LikeAnother => Distinctness is { } d && 1 - d > SameMapCorrelation;

    /// <summary>Every map of one image measured: <paramref name="maps"/>[k] is detection k's map, row-major
    /// [<paramref name="height"/>, <paramref name="width"/>] at the original image's resolution, <paramref name="boxes"/>[k]
    /// its box in the same pixels.</summary>
    public static MapQuality[] Measure(IReadOnlyList<float[]> maps, int height, int width, IReadOnlyList<Box> boxes)
    {
        if (maps.Count != boxes.Count) throw new ArgumentException($"map quality: {maps.Count} maps for {boxes.Count} boxes");
        var nearest = MapCorrelation.Nearest(maps);
        return maps.Select((m, k) => new MapQuality(
            MapMetrics.EnergyInBox(m, height, width, boxes[k]),
            MapMetrics.Pointing(m, height, width, boxes[k]),
            MapMetrics.LocalisationIoU(m, height, width, boxes[k]),
            nearest[k] is { } n ? 1 - n.Correlation : null,
            nearest[k]?.Other)).ToArray();
    }
}
