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
/// detect-cam for one image and a torchvision detector (docs/detectors.md): one forward, one K-target backward sweep,
/// then per detection × method × layer an overlay <c>&lt;idx&gt;_&lt;class&gt;_&lt;layer&gt;.jpg</c> (the default layer
/// <c>auto</c>: the pyramid level the detection belongs to: Faster R-CNN's proposal was pooled from it, RetinaNet's
/// anchor sits on it), <c>sheet.jpg</c>, <c>report.json</c>, and with --dump-maps the raw maps as .npy.
/// </summary>
public sealed class TorchvisionCamJob<TDetection, TJson>(TorchvisionCamFamily<TDetection, TJson> family, DetectOptions.Settings detect,
    CamOptions.Settings cam, RcnnScore score)
{
    /// <summary>The family this job explains.</summary>
    public TorchvisionCamFamily<TDetection, TJson> Family => family;

    /// <summary>Runs one image; its results are committed to &lt;out&gt;/&lt;<paramref name="outputName"/>&gt;/.</summary>
    public TorchvisionCamReport<TJson> Run(string path, string outputName, StagingArea staging)
    {
        var image = ImageInputs.Decode(path, detect.MaxPixels);
        var layers = cam.Layers.Select(l => l.Equals(CamOptions.Fuse, StringComparison.OrdinalIgnoreCase) ? CamRequest.Auto : l).Distinct().ToArray();
        var request = new CamRequest { Methods = cam.HeatMethods, Layers = layers, BatchSize = cam.Batch };
        CamResult result;
        IReadOnlyList<TDetection> detections;
        RcnnInput input;
        try { (detections, input, result) = family.Explain(image, request, score); }
        catch (ArgumentException e) { throw new CliError(e.Message); }
        using (result)
        {
            var names = family.Names;
            var drawn = detections.Select(family.Draw).ToList();
            var letterbox = input.ToLetterbox();
            var folder = staging.NewFolder(outputName);
            var maps = new List<TorchvisionMapJson>();
            var tiles = new List<SheetTile>();
            var boxes = drawn.Select(d => new LabeledBox(d.Box, Annotator.Label(names[d.Label], d.Score), Palette.ForClass(d.Label))).ToList();
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
                        // auto: each detection only at its own level (its gradient reaches no other level).
                        if (layers.Contains(CamRequest.Auto) && !cam.Layers.Contains(layer) && result.TargetLayers[k] != layer) continue;
                        var overlay = rendered.Overlays[k];
                        new Annotator(overlay).Draw(boxes[k]);
                        string stem = $"{k}_{Safe(names[drawn[k].Label])}_" + (cam.Methods.Count > 1 ? cam.NameOf(method) + "_" : "") + layer;
                        ImageFiles.SaveJpeg(overlay, folder.File(stem + ".jpg"));
                        string? raw = null;
                        if (cam.DumpMaps)
                        {
                            raw = stem + ".npy";
                            Npy.Write(folder.File(raw), host.Maps[k], [host.Height, host.Width]);
                        }
                        var stats = rendered.Stats[k];
                        maps.Add(new TorchvisionMapJson(k, layer, cam.NameOf(method), stem + ".jpg", raw, Math.Round(stats.Min, 9), Math.Round(stats.Max, 9), stats.Empty));
                        tiles.Add(new SheetTile(overlay, $"{k} {Annotator.Label(names[drawn[k].Label], drawn[k].Score)} {cam.NameOf(method)} {layer}"));
                    }
                }
            ImageFiles.SaveJpeg(TorchvisionSheet.Compose(annotated, tiles), folder.File("sheet.jpg"));
            var report = new TorchvisionCamReport<TJson>(Path.GetFileName(path), outputName, [image.Height, image.Width], [input.PaddedH, input.PaddedW],
                family.ArchName, family.DeviceDescription, Path.GetFileName(detect.Weights), cam.MethodName, score == RcnnScore.Prob ? "prob" : "logit",
                detections.Select((d, i) => family.Record(i, d)).ToList(), maps);
            File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
            folder.Commit();
            return report;
        }
    }

    static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
}
