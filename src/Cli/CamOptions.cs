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
        ["fullgrad"] = CamMethod.FullGrad, ["integrated-gradients"] = CamMethod.IntegratedGradients, ["smoothgrad"] = CamMethod.SmoothGrad,
    };

    /// <summary>The command-line name of a method (gradcam, gradcam++, ...).</summary>
    public static string NameOf(CamMethod method) => Methods.First(kv => kv.Value == method).Key;

    readonly Option<string> _method = new("--method") { Description = "layercam, gradcam, gradcam++, xgradcam, hirescam, eigencam, eigengradcam, gradcam-elementwise, scorecam, ablationcam (YOLOv5: one forward per channel of each layer, batched; slow), fullgrad, integrated-gradients, smoothgrad (maps at the input: one per detection, not fused) or guided-gradcam; several comma-separated, or all (every one of them but scorecam, ablationcam and the three input methods): the contact sheet then has one column per method.", DefaultValueFactory = _ => "layercam" };
    readonly Option<string> _layer = new("--layer") { Description = "fuse (the layers feeding Detect, one map per detection fused from all of them), auto (the C3 output feeding each detection's own Detect level), seed (each layer feeding Detect, as the seed tools: model.17,model.20,model.23) or layer names, comma-separated (model.17.cv3.act,model.20.cv3.act; see `nativecam layers`).", DefaultValueFactory = _ => Fuse };
    readonly Option<string> _target = new("--target") { Description = "Which predictions make a detection's score: box (every prediction of its level whose box overlaps the detection's, IoU-weighted) or cell (only the one it was decoded from, as the seed tools). What the score is: --score.", DefaultValueFactory = _ => "box" };
    readonly Option<string> _mode = new("--target-mode") { Description = "What one map explains: per-detection (one map per detection), sum-class (one map per detected class, its score summed over every detection of the class, as the YOLO CAM tools people use; the map is drawn with all of the class's boxes) or match-box (YOLOv5: one map for reference boxes, --boxes or the image's own detections, as pytorch-grad-cam's FasterRCNNBoxScoreTarget: each matched to this forward's detections by IoU > 0.5 and class, score IoU + --score of the match, summed; --score conf is theirs).", DefaultValueFactory = _ => "per-detection" };
    readonly Option<string?> _boxes = new("--boxes") { Description = "Reference boxes for --target-mode match-box: a JSON file [{\"box\": [x1, y1, x2, y2], \"class\": id}, ...] in image pixels, or a detect-cam report.json (its detections). Without it: the image's own detections." };
    readonly Option<bool> _renormalize = new("--renormalize") { Description = "Min-max normalise each map inside its detections' boxes and zero it outside (pytorch-grad-cam's renormalize_cam_in_bounding_boxes, each box scaled whole; docs/cam.md)." };
    readonly Option<bool> _faithfulness = new("--faithfulness") { Description = "Measure each map's faithfulness into report.json and curves.png: ROAD most/least relevant first at 20/40/60/80 %, confidence change of the input times the map, drop/increase, deletion/insertion AUC; the confidence is the detection's own (objectness x class probability at its cell) re-read in each perturbed forward. YOLOv5 only; 40 forwards and 8 sparse solves per map at the input size: slow at 640 (docs/cam.md#faithfulness)." };
    readonly Option<bool> _metrics = new("--metrics") { Description = "Add each map's quality to report.json: energy inside the box, pointing game, localisation IoU, distinctness (docs/cam.md)." };
    readonly Option<string> _score = new("--score") { Description = "What is back-propagated: logit (the detection's raw class logit), obj (the objectness logit) or conf (objectness x class probability). YOLOv8/YOLO11 have no objectness: conf is their class probability, obj is refused. Faster R-CNN: logit (its class logit at its proposal) or prob (= conf, its softmax probability).", DefaultValueFactory = _ => "logit" };
    readonly Option<string> _out = new("--out") { Description = "Output folder; one sub-folder per image.", DefaultValueFactory = _ => "nativecam-out" };
    readonly Option<bool> _dump = new("--dump-maps") { Description = "Also write each raw map (before upsampling and normalisation) as a float32 .npy next to its overlay." };
    readonly Option<int?> _batch = BatchOption();
    readonly Option<double> _alpha = new("--alpha") { Description = "Weight of the heat map in the blend with the image (0..1).", DefaultValueFactory = _ => 0.3 };
    readonly Option<bool> _shared = SharedScaleOption();
    readonly MethodOptions _smoothing = new();

    /// <summary>--shared-scale, the same for every command that draws heat maps.</summary>
    public static Option<bool> SharedScaleOption() => new("--shared-scale")
    {
        Description = "Colour every heat map of an image on one scale (the smallest min to the largest max of all its maps) " +
            "instead of each from its own min to its own max, so maps can be compared by colour (docs/rendering.md#contact-sheets).",
    };

    /// <summary>--batch, the same for every command that runs the perturbation methods.</summary>
    public static Option<int?> BatchOption() => new("--batch")
    {
        Description = "Perturbed inputs per forward of scorecam and ablationcam (default: as many as fit in 1 GiB, at most 64; docs/cam.md).",
    };

    /// <summary>--batch's value, checked: 0 (the default, chosen from the memory budget) or at least 1.</summary>
    public static int ReadBatch(int? batch) =>
        batch is < 1 ? throw new CliError($"--batch must be at least 1, got {batch}") : batch ?? 0;

    /// <summary>The perturbation methods: valid by name, not part of `all` (one forward per channel).</summary>
    public static readonly IReadOnlyList<string> PerturbationMethods = ["scorecam", "ablationcam"];

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _method, _layer, _target, _score, _out, _dump, _alpha, _metrics, _shared, _batch, _mode, _boxes, _renormalize, _faithfulness }) cmd.Options.Add(o);
        _smoothing.AddTo(cmd);
    }

    /// <summary>The methods `--method all` stands for: every method a detector can use (`cam` needs a classifier's
    /// pooled head).</summary>
    public static readonly IReadOnlyList<string> AllDetectorMethods =
        ["layercam", "gradcam", "gradcam++", "xgradcam", "hirescam", "eigencam", "eigengradcam", "gradcam-elementwise", "guided-gradcam"];

    /// <summary>The methods `--method all` stands for in classify-cam: every gradient and activation method (`cam` is
    /// valid too, but only for pooled heads at the layer feeding the pool, so it is asked for by name).</summary>
    public static readonly IReadOnlyList<string> AllClassifierMethods =
        ["gradcam", "gradcam++", "xgradcam", "layercam", "hirescam", "eigencam", "eigengradcam", "gradcam-elementwise"];

    /// <summary>`--method`: one name, several comma-separated, or all (<paramref name="all"/>, by default every one of
    /// <paramref name="valid"/>); unknown names are a CliError.</summary>
    public static IReadOnlyList<(string Name, CamMethod? Method)> ParseMethods(string text, IReadOnlyList<string> valid, IReadOnlyList<string>? all = null)
    {
        all ??= valid;
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant())
            .SelectMany(n => n == "all" ? all : [n]).Distinct().ToList();
        if (names.Count == 0) throw new CliError($"--method needs a method or all (expected {string.Join(", ", valid)})");
        return names.Select(n => valid.Contains(n) && Methods.TryGetValue(n, out var m) ? (n, m)
            : throw new CliError($"unknown --method '{n}' (expected {string.Join(", ", valid)}, several comma-separated, or all)")).ToList();
    }

    /// <summary>The --method name of Guided Grad-CAM, drawn as a grey picture rather than a heat map.</summary>
    public const string GuidedName = "guided-gradcam";

    /// <summary>The --layer token for one map per detection fused from every layer feeding Detect (the default).</summary>
    public const string Fuse = "fuse";
    /// <summary>The --layer token for the seed tools' layers: every layer feeding Detect, each drawn.</summary>
    public const string Seed = "seed";

    /// <summary>The parsed CAM options.</summary>
    public sealed record Settings(IReadOnlyList<(string Name, CamMethod? Method)> Methods, string[] Layers, CamScore Score, TargetRegion Region,
        string Out, bool DumpMaps, double Alpha, bool Metrics, bool SharedScale, int Batch = 0, TargetMode Mode = TargetMode.PerDetection,
        bool Renormalize = false, bool Faithfulness = false, IReadOnlyList<(NativeCam.Imaging.Box Box, int ClassId)>? References = null, MethodOptions.Settings? Smoothing = null)
    {
        /// <summary>Whether --score was spelled prob (Faster R-CNN only; YOLO treats it as unknown).</summary>
        public bool ScoreIsProb { get; init; }

        /// <summary>The methods as report.json's `method` names them: comma-separated when several.</summary>
        public string MethodName => string.Join(",", Methods.Select(m => m.Name));

        /// <summary>The heat-map methods (guided-gradcam is a picture, not a map).</summary>
        public IReadOnlyList<CamMethod> HeatMethods => Methods.Select(m => m.Method).OfType<CamMethod>().ToList();

        /// <summary>Whether guided-gradcam is among the methods.</summary>
        public bool Guided => Methods.Any(m => m.Method is null);

        /// <summary>Whether the detections' heat maps are fused across the layers feeding Detect (guided backprop is
        /// drawn per layer instead: it is an image-sized gradient, not a map).</summary>
        public bool Fused => HeatMethods.Any(m => !InputAttribution.InInputSpace(m)) && Layers.Any(l => l.Equals(Fuse, StringComparison.OrdinalIgnoreCase));

        /// <summary>The name of <paramref name="method"/> on the command line.</summary>
        public string NameOf(CamMethod? method) => Methods.First(m => m.Method == method).Name;

        /// <summary>The engine request; <paramref name="detectLayers"/> are the layers feeding Detect (fuse, seed).</summary>
        public CamRequest Request(IReadOnlyList<string> detectLayers)
        {
            var layers = Layers.SelectMany(l => l.Equals(Fuse, StringComparison.OrdinalIgnoreCase) || l.Equals(Seed, StringComparison.OrdinalIgnoreCase)
                ? detectLayers : [l]).Distinct().ToArray();
            return (Smoothing ?? MethodOptions.Settings.Default).Apply(HeatMethods, layers, Guided, Batch);
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

    /// <summary>per-detection or sum-class.</summary>
    public static TargetMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "per-detection" => TargetMode.PerDetection,
        "sum-class" => TargetMode.SumClass,
        "match-box" => TargetMode.MatchBox,
        var s => throw new CliError($"unknown --target-mode '{s}' (expected per-detection, sum-class or match-box)"),
    };

    /// <summary>The --target-mode name of <paramref name="mode"/>.</summary>
    public static string NameOf(TargetMode mode) => mode switch
    {
        TargetMode.SumClass => "sum-class",
        TargetMode.MatchBox => "match-box",
        _ => "per-detection",
    };

    /// <summary>cell or box.</summary>
    public static TargetRegion ParseRegion(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cell" => TargetRegion.Cell,
        "box" => TargetRegion.Box,
        var s => throw new CliError($"unknown target region '{s}' (expected cell or box)"),
    };

    // --boxes: only with match-box, read and checked before the model loads.
    IReadOnlyList<(NativeCam.Imaging.Box, int)>? Boxes(ParseResult parse)
    {
        if (parse.GetValue(_boxes) is not { } path) return null;
        if (ParseMode(parse.GetValue(_mode)!) != TargetMode.MatchBox) throw new CliError("--boxes needs --target-mode match-box");
        return ReferenceBoxes.Load(path);
    }

    public Settings Read(ParseResult parse)
    {
        var methods = ParseMethods(parse.GetValue(_method)!, [.. AllDetectorMethods, .. PerturbationMethods, .. MethodOptions.InputMethods], AllDetectorMethods);
        var layers = parse.GetValue(_layer)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (layers.Length == 0) throw new CliError("--layer needs auto or at least one layer name");
        // prob is Faster R-CNN's name for its softmax probability (= conf); YOLO refuses it (DetectCamCommand).
        bool prob = parse.GetValue(_score)!.Trim().Equals("prob", StringComparison.OrdinalIgnoreCase);
        var score = prob ? CamScore.Confidence : ParseScore(parse.GetValue(_score)!);
        double alpha = parse.GetValue(_alpha);
        if (!(alpha is >= 0 and <= 1)) throw new CliError($"--alpha must be between 0 and 1, got {alpha}");
        return new Settings(methods, layers, score, ParseRegion(parse.GetValue(_target)!), CommonOptions.CheckOut(parse.GetValue(_out)),
            parse.GetValue(_dump), alpha, parse.GetValue(_metrics), parse.GetValue(_shared), ReadBatch(parse.GetValue(_batch)),
            ParseMode(parse.GetValue(_mode)!), parse.GetValue(_renormalize), parse.GetValue(_faithfulness), Boxes(parse), _smoothing.Read(parse)) { ScoreIsProb = prob };
    }
}
