using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Yolo;
using NativeCam.Cli.Reports;
using NativeCam.Yolo;

namespace NativeCam.Cli.Metrics;

/// <summary>Groups of detections whose maps are (nearly) identical, each with the most likely cause in words.</summary>
public static class SimilarMaps
{
    /// <summary>The groups (connected by correlation &gt; 0.95) among one layer's maps of all detections.</summary>
    public static List<SimilarMapsRecord> Find(string layer, IReadOnlyList<MapQuality> quality, IReadOnlyList<Detection> detections,
        CamMethod? method, TargetRegion region, bool atDetectInput, string methodName)
    {
        var groups = new List<SimilarMapsRecord>();
        var assigned = new int[quality.Count];
        Array.Fill(assigned, -1);
        for (int k = 0; k < quality.Count; k++)
        {
            if (!quality[k].LikeAnother || quality[k].NearestOther is not int other) continue;
            int g = assigned[k] >= 0 ? assigned[k] : assigned[other];
            if (g < 0) { g = groups.Count; groups.Add(new SimilarMapsRecord([], layer, methodName, 1, "")); }
            assigned[k] = assigned[other] = g;
        }
        for (int g = 0; g < groups.Count; g++)
        {
            var members = Enumerable.Range(0, quality.Count).Where(k => assigned[k] == g).ToArray();
            double corr = members.Where(k => quality[k].Distinctness is not null).Max(k => 1 - quality[k].Distinctness!.Value);
            groups[g] = new SimilarMapsRecord(members, layer, methodName, Math.Round(corr, 4), Cause(members.Select(k => detections[k]).ToArray(), method, region, atDetectInput));
        }
        return groups;
    }

    static string Cause(Detection[] d, CamMethod? method, TargetRegion region, bool atDetectInput)
    {
        bool sameHead = d.All(x => x.ClassId == d[0].ClassId && x.Level == d[0].Level && x.Anchor == d[0].Anchor);
        if (method == CamMethod.EigenCam) return "EigenCAM does not depend on the detection: every detection gets the same map";
        if (sameHead && atDetectInput && region == TargetRegion.Cell && method is CamMethod.GradCam or CamMethod.GradCamPlusPlus or CamMethod.XGradCam)
            return "same class, level and anchor: at a layer feeding Detect's 1x1 conv a detection's gradient is non-zero at its one cell, " +
                "so the method's channel weights depend only on class and anchor (try --layer fuse --target box)";
        double iou = 0;
        for (int i = 0; i < d.Length; i++) for (int j = i + 1; j < d.Length; j++) iou = Math.Max(iou, MapMetrics.IoU(d[i].ImageBox, d[j].ImageBox));
        if (iou > 0.3) return $"their boxes overlap (IoU {iou:0.00}): the same pixels explain both";
        return sameHead ? "same class, level and anchor: the method's per-channel weights barely depend on where the detection is"
            : "the maps are dominated by the same evidence";
    }
}
