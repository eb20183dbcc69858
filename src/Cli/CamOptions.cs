using System.CommandLine;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;

namespace NativeCam.Cli;

/// <summary>detect-cam's CAM choices: method, layers, score, output folder, raw-map dumps.</summary>
public sealed class CamOptions
{
    public static readonly IReadOnlyDictionary<string, CamMethod?> Methods = new Dictionary<string, CamMethod?>
    {
        ["gradcam"] = CamMethod.GradCam, ["gradcam++"] = CamMethod.GradCamPlusPlus, ["xgradcam"] = CamMethod.XGradCam,
        ["layercam"] = CamMethod.LayerCam, ["hirescam"] = CamMethod.HiResCam, ["eigencam"] = CamMethod.EigenCam,
        ["eigengradcam"] = CamMethod.EigenGradCam, ["guided-gradcam"] = null,
    };

    /// <summary>The command-line name of a method (gradcam, gradcam++, ...).</summary>
    public static string NameOf(CamMethod method) => Methods.First(kv => kv.Value == method).Key;

    readonly Option<string> _method = new("--method") { Description = "gradcam (default), gradcam++, xgradcam, layercam, hirescam, eigencam, eigengradcam or guided-gradcam.", DefaultValueFactory = _ => "gradcam" };
    readonly Option<string> _layer = new("--layer") { Description = "auto (default: the C3 output feeding each detection's own Detect level) or layer names, comma-separated (model.17.cv3.act,model.20.cv3.act; see `nativecam layers`).", DefaultValueFactory = _ => "auto" };
    readonly Option<string> _score = new("--score") { Description = "What is back-propagated: logit (default: the detection's raw class logit) or conf (objectness x class probability).", DefaultValueFactory = _ => "logit" };
    readonly Option<string> _out = new("--out") { Description = "Output folder; one sub-folder per image. Default: nativecam-out.", DefaultValueFactory = _ => "nativecam-out" };
    readonly Option<bool> _dump = new("--dump-maps") { Description = "Also write each raw map (before upsampling and normalisation) as a float32 .npy next to its overlay." };
    readonly Option<double> _alpha = new("--alpha") { Description = "Weight of the heat map in the blend with the image (0..1). Default: 0.3.", DefaultValueFactory = _ => 0.3 };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _method, _layer, _score, _out, _dump, _alpha }) cmd.Options.Add(o);
    }

    public sealed record Settings(string MethodName, CamMethod? Method, string[] Layers, CamScore Score, string Out, bool DumpMaps, double Alpha)
    {
        public CamRequest Request() => Method is CamMethod m
            ? new CamRequest { Methods = [m], Layers = Layers }
            : new CamRequest { Methods = [], Layers = Layers, Guided = true };
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
        if (!(alpha is >= 0 and <= 1)) throw new CliError($"--alpha must be between 0 and 1, got {alpha}");
        return new Settings(name, method, layers, score, parse.GetValue(_out)!, parse.GetValue(_dump), alpha);
    }
}
