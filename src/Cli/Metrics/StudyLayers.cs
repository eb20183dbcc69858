using NativeCam.Yolo;

namespace NativeCam.Cli.Metrics;

/// <summary>
/// The layer specs `nativecam metrics` studies by default, per family: <c>auto</c>, every CSP block (C3, C2f, C3k2),
/// SPPF and C2PSA output of the backbone and the neck, and four fusions — the backbone's P3 + P4, the first two neck
/// blocks, the layers feeding Detect, and P3 + P4 + the backbone's last layer.
/// </summary>
public static class StudyLayers
{
    /// <summary>YOLOv5 v6 (yolov5s.yaml's indices): each C3 output, SPPF, the auto layers and the fusions.</summary>
    public const string Yolov5 = "auto,model.2,model.4,model.6,model.8,model.9,model.13,model.17,model.20,model.23," +
        "fuse:model.4+model.6,fuse:model.13+model.17,fuse:model.17+model.20+model.23,fuse:model.4+model.6+model.9";

    static readonly HashSet<string> Blocks = ["C3", "C2f", "C3k2", "SPPF", "C2PSA"];

    /// <summary>The default specs for <paramref name="detector"/>, comma-separated.</summary>
    public static string For(IDetector detector) => detector switch
    {
        Yolov8Detector v8 => From(v8.Model.Layers),
        _ => Yolov5,
    };

    /// <summary>The specs read from an Ultralytics yaml's layers: the backbone ends before the first Upsample, P3 and
    /// P4 are the backbone layers the neck concatenates, Detect's inputs are its <c>from</c>.</summary>
    public static string From(IReadOnlyList<YoloLayer> layers)
    {
        int neck = layers.First(l => l.Type == "Upsample").Index;
        var blocks = layers.Where(l => Blocks.Contains(l.Type)).Select(l => l.Index).ToArray();
        var skips = layers.Where(l => l.Type == "Concat").SelectMany(l => l.From).Where(f => f >= 0 && f < neck - 1).Distinct().Order().ToArray();
        var neckBlocks = blocks.Where(i => i > neck).ToArray();
        var detect = layers[^1].From;
        string M(int i) => $"model.{i}";
        string Fuse(IEnumerable<int> ids) => "fuse:" + string.Join("+", ids.Select(M));
        var specs = new List<string> { "auto" };
        specs.AddRange(blocks.Select(M));
        if (skips.Length >= 2) specs.Add(Fuse(skips[..2]));
        if (neckBlocks.Length >= 2) specs.Add(Fuse(neckBlocks[..2]));
        specs.Add(Fuse(detect));
        if (skips.Length >= 2) specs.Add(Fuse([.. skips[..2], neck - 1]));
        return string.Join(",", specs.Distinct());
    }
}
