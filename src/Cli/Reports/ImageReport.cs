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
    IReadOnlyList<DetectionRecord> Detections,
    IReadOnlyList<MapRecord> Maps,
    Timings TimingsMs);

/// <summary>One heat map: which detection and layer, the files, and the raw map's range before normalisation.</summary>
public sealed record MapRecord(int Detection, string Layer, string Method, string File, string? RawFile,
    double Min, double Max, bool Empty);

/// <summary>Milliseconds per stage of one image.</summary>
public sealed record Timings(double Decode, double Preprocess, double Forward, double Backward, double Cam,
    double Render, double Write, double Total);
