using System.CommandLine;
using System.Globalization;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Cli.Metrics;
using NativeCam.Cli.Reports;
using Yolov8Detector = NativeCam.Yolo.Yolov8Detector;

namespace NativeCam.Cli;

/// <summary>
/// `nativecam metrics IMAGE...`: how well each CAM choice localises the detections (energy in box, pointing game,
/// localisation IoU, distinctness; docs/cam.md), every method × layer × score × region on the same gradients, as a
/// markdown table (or JSON). docs/cam-defaults.md is its output on the samples.
/// </summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images (JPEG, PNG, BMP) or folders of them.", Arity = ArgumentArity.OneOrMore };
        var detect = new DetectOptions();
        var methods = new Option<string>("--methods") { Description = "Methods, comma-separated, or all (guided-gradcam is not a map).", DefaultValueFactory = _ => "all" };
        var layers = new Option<string>("--layers") { Description = "Layer specs, comma-separated: auto, a layer, or fuse:A+B; the default is the study's set for the model's family (docs/cam-defaults.md)." };
        var scores = new Option<string>("--scores") { Description = "Scores, comma-separated: logit, obj, conf (default: all three; YOLOv8/YOLO11 have no objectness: logit,conf)." };
        var regions = new Option<string>("--regions") { Description = "Target regions: cell (the detection's own prediction), box (IoU-weighted predictions of its box).", DefaultValueFactory = _ => "cell,box" };
        var json = new Option<bool>("--json") { Description = "Print the rows as JSON (with every detection's measures) instead of the table." };
        var faithfulness = new Option<bool>("--faithfulness") { Description = "Also measure each map's faithfulness (ROAD combined, deletion/insertion AUC, confidence change, average drop, increase; the detection's own confidence; docs/cam.md#faithfulness): YOLOv5 only, 40 forwards and 8 sparse solves per detection and row, so narrow --methods/--layers/--scores/--regions first." };
        var cmd = new Command("metrics",
            "Measure how well CAM maps localise the detections: for every method x layer x score x region, the energy " +
            "inside each detection's box, the pointing game, the localisation IoU and how distinct the detections' maps are " +
            "(docs/cam.md), plus the compute time. Works on every detector detect-cam explains: YOLOv5, YOLOv8, YOLO11.\n\nExamples:\n  nativecam metrics samples/bus.jpg samples/zidane.jpg\n" +
            "  nativecam metrics samples/ --methods gradcam,hirescam --layers auto,model.17 --scores logit --regions box\n" +
            "  nativecam metrics samples/bus.jpg --methods gradcam,layercam --layers fuse:model.17+model.20+model.23 --scores logit --regions box --faithfulness");
        cmd.Arguments.Add(images);
        detect.AddTo(cmd);
        foreach (var o in new Option[] { methods, layers, scores, regions, json, faithfulness }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var d = detect.Read(parse);
            if (d.Tensor != null) throw new CliError("metrics needs images: --tensor is for `nativecam detect`");
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            var methodList = List(parse.GetValue(methods)!, "all") is { } m
                ? m.Select(n => CamOptions.Methods.TryGetValue(n, out var x) && x is CamMethod c && !InputAttribution.InInputSpace(c) ? c
                    : throw new CliError($"unknown method '{n}' (expected {string.Join(", ", CamOptions.Methods.Keys.Where(k => CamOptions.Methods[k] is CamMethod c && !InputAttribution.InInputSpace(c)))})")).Distinct().ToArray()
                : CamOptions.Methods.Values.OfType<CamMethod>().Where(c => !InputAttribution.InInputSpace(c)).ToArray(); // layer maps only: the input-space methods have no layer to measure per
            var regionList = List(parse.GetValue(regions)!, null)!.Select(CamOptions.ParseRegion).Distinct().ToArray();
            using var device = CommonOptions.OpenDevice(d.Device);
            using var detector = CommonOptions.LoadAnyDetector(device, d.Weights);
            d.CheckClasses(detector.ClassNames.Count);
            bool hasObjectness = detector is not Yolov8Detector;
            var specs = List(parse.GetValue(layers) ?? StudyLayers.For(detector), null)!.Select(LayerSpec.Parse).ToArray();
            var scoreList = List(parse.GetValue(scores) ?? (hasObjectness ? "logit,obj,conf" : "logit,conf"), null)!
                .Select(CamOptions.ParseScore).Distinct().ToArray();
            if (!hasObjectness && scoreList.Contains(CamScore.Objectness))
                throw new CliError($"--scores obj: {detector.Family} has no objectness; use logit (its class logit) or conf (its class probability)");
            bool faithful = parse.GetValue(faithfulness);
            if (faithful && !hasObjectness) throw new CliError($"--faithfulness: not available for {detector.Family} yet (YOLOv5 only; docs/cam.md#faithfulness)");
            List<StudyRow> rows;
            try { rows = new Study(detector, d).Run(files, methodList, specs, scoreList, regionList, s => Console.Error.WriteLine($"metrics: {s}"), faithful); }
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

    static object Json(StudyRow r) => r.FaithfulMeans is { } f ? new
    {
        r.Method, r.Layer, r.Score, r.Region, r.EnergyInBox, r.PointingHits, Detections = r.Detections.Count,
        LocalisationIou = r.LocalisationIoU, r.Distinctness, r.LikeAnother, r.ComputeMs, PerDetection = r.Detections,
        Faithfulness = new { RoadCombined = f.Road, DeletionAuc = f.Deletion, InsertionAuc = f.Insertion, CamMultChange = f.CamMult,
            AverageDropPercent = f.AverageDropPercent, IncreasePercent = f.IncreasePercent },
    } : (object)new
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
        if (rows.Any(r => r.FaithfulMeans != null)) return FaithfulTable(rows, lines);
        foreach (var r in rows)
            lines.Add($"| {r.Method} | {r.Layer} | {r.Score} | {r.Region} | {F(r.EnergyInBox)} | {r.PointingHits}/{r.Detections.Count} | " +
                $"{F(r.LocalisationIoU)} | {(r.Distinctness is { } x ? F(x) : "-")} | {r.LikeAnother} | {r.ComputeMs.ToString("0", CultureInfo.InvariantCulture)} | {(r.MeetsBars ? "✓" : "")} |");
        return string.Join(Environment.NewLine, lines);
    }

    // --faithfulness: the same rows with the faithfulness means as further columns (docs/cam.md#faithfulness).
    static string FaithfulTable(IReadOnlyList<StudyRow> rows, List<string> lines)
    {
        lines[2] = lines[2].TrimEnd('|', ' ') + " | ROAD ↑ | deletion AUC ↓ | insertion AUC ↑ | conf. change ↑ | avg drop % ↓ | increase % ↑ |";
        lines[3] += "---:|---:|---:|---:|---:|---:|";
        foreach (var r in rows)
        {
            var f = r.FaithfulMeans!.Value;
            lines.Add($"| {r.Method} | {r.Layer} | {r.Score} | {r.Region} | {F(r.EnergyInBox)} | {r.PointingHits}/{r.Detections.Count} | " +
                $"{F(r.LocalisationIoU)} | {(r.Distinctness is { } x ? F(x) : "-")} | {r.LikeAnother} | {r.ComputeMs.ToString("0", CultureInfo.InvariantCulture)} | {(r.MeetsBars ? "✓" : "")} | " +
                $"{F(f.Road)} | {F(f.Deletion)} | {F(f.Insertion)} | {F(f.CamMult)} | {f.AverageDropPercent.ToString("0.0", CultureInfo.InvariantCulture)} | {f.IncreasePercent.ToString("0", CultureInfo.InvariantCulture)} |");
        }
        return string.Join(Environment.NewLine, lines);
    }
}
