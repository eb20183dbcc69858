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
/// detect-cam for one image and a torchvision RetinaNet (docs/detectors.md): one forward, one K-target backward sweep,
/// then per detection × method × layer an overlay <c>&lt;idx&gt;_&lt;class&gt;_&lt;layer&gt;.jpg</c> (the default layer
/// <c>auto</c>: the pyramid level the detection's anchor belongs to), <c>sheet.jpg</c>, <c>report.json</c>, and with
/// --dump-maps the raw maps as .npy — the outputs of Faster R-CNN's <see cref="RcnnCamJob"/>, with each detection's
/// level and anchor where Faster R-CNN records its proposal.
/// </summary>
public sealed class RetinaCamJob(RetinaNet model, DetectOptions.Settings detect, CamOptions.Settings cam, RcnnScore score)
{
    /// <summary>What a RetinaNet report.json holds (docs/detectors.md).</summary>
    public sealed record Report(string image, string output, int[] image_hw, int[] input_hw, string family, string device, string weights,
        string method, string score, IReadOnlyList<RetinaDetect.DetectionJson> detections, IReadOnlyList<RcnnCamJob.MapJson> maps);

    /// <summary>Runs one image; its results are committed to &lt;out&gt;/&lt;<paramref name="outputName"/>&gt;/.</summary>
    public Report Run(string path, string outputName, StagingArea staging)
    {
        var image = ImageInputs.Decode(path, detect.MaxPixels);
        var layers = cam.Layers.Select(l => l.Equals(CamOptions.Fuse, StringComparison.OrdinalIgnoreCase) ? CamRequest.Auto : l).Distinct().ToArray();
        var request = new CamRequest { Methods = cam.HeatMethods, Layers = layers, BatchSize = cam.Batch };
        CamResult result;
        IReadOnlyList<RetinaDetection> detections;
        RcnnInput input;
        try { (detections, input, result) = RetinaCam.Explain(model, image, request, score); }
        catch (ArgumentException e) { throw new CliError(e.Message); }
        using (result)
        {
            var names = RetinaFiles.Names(model);
            var letterbox = input.ToLetterbox();
            var folder = staging.NewFolder(outputName);
            var maps = new List<RcnnCamJob.MapJson>();
            var tiles = new List<SheetTile>();
            var boxes = detections.Select(d => new LabeledBox(d.Box, Annotator.Label(names[d.Label], d.Score), Palette.ForClass(d.Label))).ToList();
            var annotated = new RgbImage(image.Height, image.Width, (byte[])image.Pixels.Clone());
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
                        // auto: each detection only at its own level (the level its score was read from).
                        if (layers.Contains(CamRequest.Auto) && !cam.Layers.Contains(layer) && result.TargetLayers[k] != layer) continue;
                        var overlay = rendered.Overlays[k];
                        new Annotator(overlay).Draw(boxes[k]);
                        string safe = new(names[detections[k].Label].Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());
                        string stem = $"{k}_{safe}_" + (cam.Methods.Count > 1 ? cam.NameOf(method) + "_" : "") + layer;
                        ImageFiles.SaveJpeg(overlay, folder.File(stem + ".jpg"));
                        string? raw = null;
                        if (cam.DumpMaps)
                        {
                            raw = stem + ".npy";
                            Npy.Write(folder.File(raw), host.Maps[k], [host.Height, host.Width]);
                        }
                        var stats = rendered.Stats[k];
                        maps.Add(new RcnnCamJob.MapJson(k, layer, cam.NameOf(method), stem + ".jpg", raw, Math.Round(stats.Min, 9), Math.Round(stats.Max, 9), stats.Empty));
                        tiles.Add(new SheetTile(overlay, $"{k} {Annotator.Label(names[detections[k].Label], detections[k].Score)} {cam.NameOf(method)} {layer}"));
                    }
                }
            ImageFiles.SaveJpeg(Sheet(annotated, tiles), folder.File("sheet.jpg"));
            var report = new Report(Path.GetFileName(path), outputName, [image.Height, image.Width], [input.PaddedH, input.PaddedW], model.Arch.Name,
                model.Device.Description, Path.GetFileName(detect.Weights), cam.MethodName, score == RcnnScore.Prob ? "prob" : "logit",
                detections.Select((d, i) => RetinaDetect.Record(i, d, names)).ToList(), maps);
            File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
            folder.Commit();
            return report;
        }
    }

    /// <summary>Sheet tiles at most this wide, this many per row, at most this many overlays (as Faster R-CNN's sheet).</summary>
    const int TileWidth = 300, Columns = 6, MaxOverlays = 23;

    // The annotated image and the first overlays, each scaled to TileWidth, Columns per row.
    static RgbImage Sheet(RgbImage annotated, List<SheetTile> overlays)
    {
        RgbImage Small(RgbImage i) => i.Width <= TileWidth ? i
            : PilResize.Bilinear(i, Math.Max(1, (int)Math.Round((double)i.Height * TileWidth / i.Width)), TileWidth);
        var tiles = overlays.Take(MaxOverlays).Select(t => t with { Image = Small(t.Image) }).ToList();
        return ContactSheet.Compose(Small(annotated), tiles, Columns);
    }
}
