using NativeCam.Cam;
using NativeCam.Cam.Detectors;
using NativeCam.Cam.Render;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Detectors;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>
/// detect-cam for one image and a torchvision Faster R-CNN (docs/detectors.md): one forward (detections and the
/// differentiable class logits), one K-target backward sweep, then per detection × method × layer an overlay
/// <c>&lt;idx&gt;_&lt;class&gt;_&lt;layer&gt;.jpg</c> (the default layer <c>auto</c>: the FPN level the detection's proposal
/// was pooled from), <c>sheet.jpg</c>, <c>report.json</c>, and with --dump-maps the raw maps as .npy.
/// </summary>
public sealed class RcnnCamJob(FasterRcnn model, DetectOptions.Settings detect, CamOptions.Settings cam, RcnnScore score)
{
    /// <summary>What a Faster R-CNN report.json holds (docs/detectors.md#report).</summary>
    public sealed record Report(string image, string output, int[] image_hw, int[] input_hw, string family, string device, string weights,
        string method, string score, IReadOnlyList<RcnnDetect.DetectionJson> detections, IReadOnlyList<MapJson> maps);

    /// <summary>One overlay of the report.</summary>
    public sealed record MapJson(int detection, string layer, string method, string file, string? raw, double min, double max, bool empty);

    /// <summary>Runs one image; its results are committed to &lt;out&gt;/&lt;<paramref name="outputName"/>&gt;/.</summary>
    public Report Run(string path, string outputName, StagingArea staging)
    {
        var image = ImageInputs.Decode(path, detect.MaxPixels);
        var layers = cam.Layers.Select(l => l.Equals(CamOptions.Fuse, StringComparison.OrdinalIgnoreCase) ? CamRequest.Auto : l).Distinct().ToArray();
        var request = new CamRequest { Methods = cam.HeatMethods, Layers = layers, BatchSize = cam.Batch };
        CamResult result;
        IReadOnlyList<RcnnDetection> detections;
        RcnnInput input;
        try { (detections, input, result) = RcnnCam.Explain(model, image, request, score); }
        catch (ArgumentException e) { throw new CliError(e.Message); }
        using (result)
        {
            var names = RcnnFiles.Names(model);
            var letterbox = input.ToLetterbox();
            var folder = staging.NewFolder(outputName);
            var maps = new List<MapJson>();
            var tiles = new List<SheetTile>();
            var boxes = detections.Select(d => new LabeledBox(d.Box, Annotator.Label(names[d.Label], d.Score), Palette.ForClass(d.Label))).ToList();
            var annotated = Copy(image);
            new Annotator(annotated).DrawAll(boxes);
            var options = new HeatmapOptions { HeatmapWeight = cam.Alpha };
            foreach (var method in cam.HeatMethods)
                foreach (var layer in result.Maps.Where(m => m.Method == method).Select(m => m.Layer).Distinct())
                {
                    var map = result[method, layer];
                    var rendered = HeatmapRenderer.Render(map.Map, letterbox, image, options);
                    var host = map.ToHost();
                    for (int k = 0; k < detections.Count; k++)
                    {
                        // auto: each detection only at its own level (its gradient reaches no other level).
                        if (layers.Contains(CamRequest.Auto) && !cam.Layers.Contains(layer) && result.TargetLayers[k] != layer) continue;
                        var overlay = rendered.Overlays[k];
                        new Annotator(overlay).Draw(boxes[k]);
                        string stem = $"{k}_{Safe(names[detections[k].Label])}_" + (cam.Methods.Count > 1 ? cam.NameOf(method) + "_" : "") + layer;
                        ImageFiles.SaveJpeg(overlay, folder.File(stem + ".jpg"));
                        string? raw = null;
                        if (cam.DumpMaps)
                        {
                            raw = stem + ".npy";
                            Npy.Write(folder.File(raw), host.Maps[k], [host.Height, host.Width]);
                        }
                        var stats = rendered.Stats[k];
                        maps.Add(new MapJson(k, layer, cam.NameOf(method), stem + ".jpg", raw, Math.Round(stats.Min, 9), Math.Round(stats.Max, 9), stats.Empty));
                        tiles.Add(new SheetTile(overlay, $"{k} {Annotator.Label(names[detections[k].Label], detections[k].Score)} {cam.NameOf(method)} {layer}"));
                    }
                }
            ImageFiles.SaveJpeg(Sheet(annotated, tiles), folder.File("sheet.jpg"));
            var report = new Report(Path.GetFileName(path), outputName, [image.Height, image.Width], [input.PaddedH, input.PaddedW], model.Arch.Name,
                model.Device.Description, Path.GetFileName(detect.Weights), cam.MethodName, score == RcnnScore.Prob ? "prob" : "logit",
                detections.Select((d, i) => RcnnDetect.Record(i, d, names)).ToList(), maps);
            File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
            folder.Commit();
            return report;
        }
    }

    /// <summary>Sheet tiles at most this wide, this many per row, at most this many overlays (a sheet stays under ~1900 px wide).</summary>
    const int TileWidth = 300, Columns = 6, MaxOverlays = 23;

    // The annotated image and the first overlays, each scaled to TileWidth, Columns per row.
    static RgbImage Sheet(RgbImage annotated, List<SheetTile> overlays)
    {
        RgbImage Small(RgbImage i) => i.Width <= TileWidth ? i
            : PilResize.Bilinear(i, Math.Max(1, (int)Math.Round((double)i.Height * TileWidth / i.Width)), TileWidth);
        var tiles = overlays.Take(MaxOverlays).Select(t => t with { Image = Small(t.Image) }).ToList();
        return ContactSheet.Compose(Small(annotated), tiles, Columns);
    }

    static RgbImage Copy(RgbImage image) => new(image.Height, image.Width, (byte[])image.Pixels.Clone());

    static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    /// <summary>--score for Faster R-CNN: logit (default) or conf/prob (the softmax probability); obj is refused.</summary>
    public static RcnnScore ScoreOf(NativeCam.Cam.Yolo.CamScore score) => score switch
    {
        NativeCam.Cam.Yolo.CamScore.Logit => RcnnScore.Logit,
        NativeCam.Cam.Yolo.CamScore.Confidence => RcnnScore.Prob,
        _ => throw new CliError("--score obj: Faster R-CNN has no objectness in its box head; use --score logit or prob"),
    };
}
