using System.CommandLine;
using System.Globalization;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Cli.Metrics;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>
/// `nativecam metrics IMAGE...`: how well each CAM choice localises the detections (energy in box, pointing game,
/// localisation IoU, distinctness; docs/cam.md), every method × layer × score × region on the same gradients, as a
/// markdown table (or JSON). docs/cam-defaults.md is its output on the samples.
/// </summary>
public static class MetricsCommand
{
    /// <summary>The study's layers for YOLOv5 v6: each C3 output, the auto layers, the backbone's P3/P4/P5 outputs,
    /// and fusions.</summary>
    public const string StudyLayers = "auto,model.2,model.4,model.6,model.8,model.9,model.13,model.17,model.20,model.23," +
        "fuse:model.4+model.6,fuse:model.13+model.17,fuse:model.17+model.20+model.23,fuse:model.4+model.6+model.9";

    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images (JPEG, PNG, BMP) or folders of them.", Arity = ArgumentArity.OneOrMore };
        var detect = new DetectOptions();
        var methods = new Option<string>("--methods") { Description = "Methods, comma-separated, or all (guided-gradcam is not a map).", DefaultValueFactory = _ => "all" };
        var layers = new Option<string>("--layers") { Description = "Layer specs, comma-separated: auto, a layer, or fuse:A+B; the default is the study's set.", DefaultValueFactory = _ => StudyLayers };
        var scores = new Option<string>("--scores") { Description = "Scores, comma-separated: logit, obj, conf.", DefaultValueFactory = _ => "logit,obj,conf" };
        var regions = new Option<string>("--regions") { Description = "Target regions: cell (the detection's own prediction), box (IoU-weighted predictions of its box).", DefaultValueFactory = _ => "cell,box" };
        var json = new Option<bool>("--json") { Description = "Print the rows as JSON (with every detection's measures) instead of the table." };
        var cmd = new Command("metrics",
            "Measure how well CAM maps localise the detections: for every method x layer x score x region, the energy " +
            "inside each detection's box, the pointing game, the localisation IoU and how distinct the detections' maps are " +
            "(docs/cam.md), plus the compute time.\n\nExamples:\n  nativecam metrics samples/bus.jpg samples/zidane.jpg\n" +
            "  nativecam metrics samples/ --methods gradcam,hirescam --layers auto,model.17 --scores logit --regions box");
        cmd.Arguments.Add(images);
        detect.AddTo(cmd);
        foreach (var o in new Option[] { methods, layers, scores, regions, json }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var d = detect.Read(parse);
            if (d.Tensor != null) throw new CliError("metrics needs images: --tensor is for `nativecam detect`");
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            var methodList = List(parse.GetValue(methods)!, "all") is { } m
                ? m.Select(n => CamOptions.Methods.TryGetValue(n, out var x) && x is CamMethod c ? c : throw new CliError($"unknown method '{n}' (expected {string.Join(", ", CamOptions.Methods.Keys.Where(k => CamOptions.Methods[k] != null))})")).Distinct().ToArray()
                : CamOptions.Methods.Values.OfType<CamMethod>().ToArray();
            var specs = List(parse.GetValue(layers)!, null)!.Select(LayerSpec.Parse).ToArray();
            var scoreList = List(parse.GetValue(scores)!, null)!.Select(CamOptions.ParseScore).Distinct().ToArray();
            var regionList = List(parse.GetValue(regions)!, null)!.Select(CamOptions.ParseRegion).Distinct().ToArray();
            using var device = CommonOptions.OpenDevice(d.Device);
            using var detector = CommonOptions.LoadDetector(device, d.Weights);
            d.CheckClasses(detector.Model.ClassNames.Count);
            List<StudyRow> rows;
            try { rows = new Study(detector, d).Run(files, methodList, specs, scoreList, regionList, s => Console.Error.WriteLine($"metrics: {s}")); }
            catch (ArgumentException e) when (e.Message.Contains("no layer named")) { throw new CliError(e.Message.Replace("CAM: ", "")); }
            Console.WriteLine(parse.GetValue(json) ? ReportJson.Serialize(rows.Select(Json)) : Table(rows, device.Description));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static string[]? List(string text, string? all)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToArray();
        if (parts.Length == 0) throw new CliError($"'{text}' names nothing");
        return all != null && parts is [var only] && only == all ? null : parts;
    }

    static object Json(StudyRow r) => new
    {
        r.Method, r.Layer, r.Score, r.Region, r.EnergyInBox, r.PointingHits, Detections = r.Detections.Count,
        LocalisationIou = r.LocalisationIoU, r.Distinctness, r.LikeAnother, r.ComputeMs, PerDetection = r.Detections,
    };

    static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>The rows as a markdown table; rows meeting issue #20's bars are marked ✓.</summary>
    public static string Table(IReadOnlyList<StudyRow> rows, string device)
    {
        var lines = new List<string>
        {
            $"device: {device}; detections pooled over the images; ms: forward + backward + Grad-CAM maps at the spec's layers, summed over the images",
            "",
            "| method | layer | score | region | energy in box | pointing | loc. IoU | distinct | corr > 0.95 | ms | bars |",
            "|---|---|---|---|---:|---:|---:|---:|---:|---:|:---:|",
        };
        foreach (var r in rows)
            lines.Add($"| {r.Method} | {r.Layer} | {r.Score} | {r.Region} | {F(r.EnergyInBox)} | {r.PointingHits}/{r.Detections.Count} | " +
                $"{F(r.LocalisationIoU)} | {(r.Distinctness is { } x ? F(x) : "-")} | {r.LikeAnother} | {r.ComputeMs.ToString("0", CultureInfo.InvariantCulture)} | {(r.MeetsBars ? "✓" : "")} |");
        return string.Join(Environment.NewLine, lines);
    }
}
