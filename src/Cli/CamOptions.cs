using System.CommandLine;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;

namespace NativeCam.Cli;

/// <summary>detect-cam's CAM choices: method, layers, target region, score, output folder, raw-map dumps, metrics. The defaults
/// (layercam, fuse, box, logit) are docs/cam-defaults.md's choice.</summary>
public sealed class CamOptions
{
    public static readonly IReadOnlyDictionary<string, CamMethod?> Methods = new Dictionary<string, CamMethod?>
    {
        ["gradcam"] = CamMethod.GradCam, ["gradcam++"] = CamMethod.GradCamPlusPlus, ["xgradcam"] = CamMethod.XGradCam,
        ["layercam"] = CamMethod.LayerCam, ["hirescam"] = CamMethod.HiResCam, ["eigencam"] = CamMethod.EigenCam,
        ["eigengradcam"] = CamMethod.EigenGradCam, ["gradcam-elementwise"] = CamMethod.GradCamElementWise,
        ["cam"] = CamMethod.Cam, ["scorecam"] = CamMethod.ScoreCam,
        ["ablationcam"] = CamMethod.AblationCam, ["guided-gradcam"] = null,
    };

    /// <summary>The command-line name of a method (gradcam, gradcam++, ...).</summary>
    public static string NameOf(CamMethod method) => Methods.First(kv => kv.Value == method).Key;

    readonly Option<string> _method = new("--method") { Description = "layercam, gradcam, gradcam++, xgradcam, hirescam, eigencam, eigengradcam, scorecam, ablationcam (YOLOv5: one forward per channel of each layer, batched; slow) or guided-gradcam.", DefaultValueFactory = _ => "layercam" };
    readonly Option<string> _layer = new("--layer") { Description = "fuse (the layers feeding Detect, one map per detection fused from all of them), auto (the C3 output feeding each detection's own Detect level), seed (each layer feeding Detect, as the seed tools: model.17,model.20,model.23) or layer names, comma-separated (model.17.cv3.act,model.20.cv3.act; see `nativecam layers`).", DefaultValueFactory = _ => Fuse };
    readonly Option<string> _target = new("--target") { Description = "Which predictions make a detection's score: box (every prediction of its level whose box overlaps the detection's, IoU-weighted) or cell (only the one it was decoded from, as the seed tools).", DefaultValueFactory = _ => "box" };
    readonly Option<bool> _metrics = new("--metrics") { Description = "Add each map's quality to report.json: energy inside the box, pointing game, localisation IoU, distinctness (docs/cam.md)." };
    readonly Option<string> _score = new("--score") { Description = "What is back-propagated: logit (the detection's raw class logit), obj (the objectness logit) or conf (objectness x class probability). YOLOv8/YOLO11 have no objectness: conf is their class probability, obj is refused.", DefaultValueFactory = _ => "logit" };
    readonly Option<string> _out = new("--out") { Description = "Output folder; one sub-folder per image.", DefaultValueFactory = _ => "nativecam-out" };
    readonly Option<bool> _dump = new("--dump-maps") { Description = "Also write each raw map (before upsampling and normalisation) as a float32 .npy next to its overlay." };
    readonly Option<int?> _batch = new("--batch") { Description = "Perturbed inputs per forward of scorecam and ablationcam (default: as many as fit in 1 GiB, at most 64; docs/cam.md)." };
    readonly Option<double> _alpha = new("--alpha") { Description = "Weight of the heat map in the blend with the image (0..1).", DefaultValueFactory = _ => 0.3 };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _method, _layer, _target, _score, _out, _dump, _alpha, _metrics, _batch }) cmd.Options.Add(o);
    }

    /// <summary>The --layer token for one map per detection fused from every layer feeding Detect (the default).</summary>
    public const string Fuse = "fuse";
    /// <summary>The --layer token for the seed tools' layers: every layer feeding Detect, each drawn.</summary>
    public const string Seed = "seed";

    /// <summary>The parsed CAM options.</summary>
    public sealed record Settings(string MethodName, CamMethod? Method, string[] Layers, CamScore Score, TargetRegion Region,
        string Out, bool DumpMaps, double Alpha, bool Metrics, int Batch = 0)
    {
        /// <summary>Whether the detections' maps are fused across the layers feeding Detect (guided backprop is
        /// drawn per layer instead: it is an image-sized gradient, not a map).</summary>
        public bool Fused => Method != null && Layers.Any(l => l.Equals(Fuse, StringComparison.OrdinalIgnoreCase));

        /// <summary>The engine request; <paramref name="detectLayers"/> are the layers feeding Detect (fuse, seed).</summary>
        public CamRequest Request(IReadOnlyList<string> detectLayers)
        {
            var layers = Layers.SelectMany(l => l.Equals(Fuse, StringComparison.OrdinalIgnoreCase) || l.Equals(Seed, StringComparison.OrdinalIgnoreCase)
                ? detectLayers : [l]).Distinct().ToArray();
            return Method is CamMethod m
                ? new CamRequest { Methods = [m], Layers = layers, BatchSize = Batch }
                : new CamRequest { Methods = [], Layers = layers, Guided = true };
        }
    }

    /// <summary>logit, obj or conf.</summary>
    public static CamScore ParseScore(string text) => text.Trim().ToLowerInvariant() switch
    {
        "logit" => CamScore.Logit,
        "conf" => CamScore.Confidence,
        "obj" => CamScore.Objectness,
        var s => throw new CliError($"unknown --score '{s}' (expected logit, obj or conf)"),
    };

    /// <summary>cell or box.</summary>
    public static TargetRegion ParseRegion(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cell" => TargetRegion.Cell,
        "box" => TargetRegion.Box,
        var s => throw new CliError($"unknown target region '{s}' (expected cell or box)"),
    };

    public Settings Read(ParseResult parse)
    {
        var name = parse.GetValue(_method)!.Trim().ToLowerInvariant();
        if (!Methods.TryGetValue(name, out var method))
            throw new CliError($"unknown --method '{name}' (expected {string.Join(", ", Methods.Keys)})");
        var layers = parse.GetValue(_layer)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (layers.Length == 0) throw new CliError("--layer needs auto or at least one layer name");
        var score = ParseScore(parse.GetValue(_score)!);
        double alpha = parse.GetValue(_alpha);
        int? batch = parse.GetValue(_batch);
        if (batch is < 1) throw new CliError($"--batch must be at least 1, got {batch}");
        if (!(alpha is >= 0 and <= 1)) throw new CliError($"--alpha must be between 0 and 1, got {alpha}");
        return new Settings(name, method, layers, score, ParseRegion(parse.GetValue(_target)!), CommonOptions.CheckOut(parse.GetValue(_out)),
            parse.GetValue(_dump), alpha, parse.GetValue(_metrics), batch ?? 0);
    }
}
