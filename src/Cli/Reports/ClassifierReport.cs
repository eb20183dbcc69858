namespace NativeCam.Cli.Reports;

/// <summary>One class of a classifier's answer: id, name, raw logit and softmax probability.</summary>
public sealed record ClassPrediction(int ClassId, string ClassName, double Logit, double Probability);

/// <summary>`nativecam classify`'s report for one image (docs/report.md).</summary>
public sealed record ClassifyReport(string Image, int[] InputHw, string Arch, string Weights, string Device,
    IReadOnlyList<ClassPrediction> Top);

/// <summary>One map of classify-cam: the class, layer and method it explains, its files and raw range.</summary>
public sealed record ClassMapRecord(int ClassId, string ClassName, string Layer, string Method, string File, string? Raw,
    double Min, double Max, bool Empty, FaithfulnessRecord? Faithfulness = null);

/// <summary>`nativecam classify-cam`'s report for one image (docs/report.md).</summary>
public sealed record ClassifyCamReport(string Image, string Output, int[] InputHw, string Arch, string Weights, string Device,
    IReadOnlyList<ClassPrediction> Top, IReadOnlyList<ClassPrediction> Explained, IReadOnlyList<string> Layers,
    IReadOnlyList<ClassMapRecord> Maps, string Sheet, double TotalMs, string? Curves = null);
