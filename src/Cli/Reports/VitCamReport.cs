namespace NativeCam.Cli.Reports;

/// <summary>
/// <c>&lt;name&gt;/report.json</c> of vit-cam (docs/vit.md). Keys are snake_case; every key is always present (null where it
/// does not apply: `layer` outside gradcam, `head_fusion` outside rollout, `compat` without --compat, `raw_file` without
/// --dump-maps).
/// </summary>
public sealed record VitCamReport(
    string Image,
    string Output,
    int[] InputHw,
    string Device,
    string Weights,
    string Method,
    string? Layer,
    string? HeadFusion,
    double DiscardRatio,
    string? Compat,
    int ClassId,
    string ClassName,
    double ClassProbability,
    IReadOnlyList<ClassScore> Logits,
    VitMapRecord Map,
    string Sheet,
    VitTimings TimingsMs);

/// <summary>One of the top-5 classes: its raw logit and its softmax probability.</summary>
public sealed record ClassScore(int ClassId, string ClassName, double Logit, double Probability);

/// <summary>The explanation map: overlay file, raw .npy (with --dump-maps), and its range on the patch grid.</summary>
public sealed record VitMapRecord(string File, string? RawFile, double Min, double Max, bool Empty);

/// <summary>Milliseconds per stage.</summary>
public sealed record VitTimings(double Decode, double Preprocess, double Forward, double Backward, double Cam,
    double Render, double Write, double Total);
