namespace NativeCam.Cli.Reports;

/// <summary>
/// <c>&lt;name&gt;/report.json</c> of detect-cam, one per image (schema: docs/report.md). Keys are snake_case; every key
/// listed there is always present, so other tools can rely on them.
/// </summary>
public sealed record ImageReport(
    string Image,
    string Output,
    int[] ImageHw,
    int[] InputHw,
    double Ratio,
    double[] Pad,
    string Device,
    string Weights,
    string Method,
    string Score,
    string Target,
    double[]? SharedScale,
    IReadOnlyList<DetectionRecord> Detections,
    IReadOnlyList<MapRecord> Maps,
    IReadOnlyList<SimilarMapsRecord> SimilarMaps,
    Timings TimingsMs,
    string TargetMode = "per-detection",
    bool Renormalize = false,
    string? Curves = null);

/// <summary>One heat map: which detection and layer, the files, the raw map's range before normalisation, the raw
/// layer maps a fused map was made of, (with --metrics) its quality, the detections its target stands for (one, or
/// with --target-mode sum-class all of its class) and (with --faithfulness) its faithfulness.</summary>
public sealed record MapRecord(int Detection, string Layer, string Method, string File, string? RawFile,
    double Min, double Max, bool Empty, IReadOnlyList<MapPart> Parts, MapMetricsRecord? Metrics,
    IReadOnlyList<int>? Detections = null, FaithfulnessRecord? Faithfulness = null);

/// <summary>One layer's raw map inside a fused map (<c>raw_file</c> with --dump-maps, else null).</summary>
public sealed record MapPart(string Layer, string? RawFile);

/// <summary>A map's quality (docs/cam.md): energy in the box, pointing game, localisation IoU, distinctness (null
/// with one detection) and the detection whose map is most like this one.</summary>
public sealed record MapMetricsRecord(double EnergyInBox, bool Pointing, double LocalisationIou, double? Distinctness, int? NearestOther);

/// <summary>Detections whose maps of one method at one layer (or fusion) correlate above 0.95, and why.</summary>
public sealed record SimilarMapsRecord(int[] Detections, string Layer, string Method, double Correlation, string Cause);

/// <summary>Milliseconds per stage of one image.</summary>
public sealed record Timings(double Decode, double Preprocess, double Forward, double Backward, double Cam,
    double Render, double Write, double Total);
