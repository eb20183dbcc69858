using ILGPU.Runtime;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Render;
using NativeCam.Cli.Metrics;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>
/// detect-cam for one image: decode → letterbox → one forward (detections picked from it) → one backward sweep
/// for all detections → maps → overlays, contact sheet, report, written atomically to &lt;out&gt;/&lt;stem&gt;/.
/// </summary>
public sealed class DetectCamJob(IDetector detector, DetectOptions.Settings detect, CamOptions.Settings cam)
{
    readonly ICamAdapter<YoloTargets> _adapter = DetectorCam.Adapter(detector);

    /// <summary>Runs the image at <paramref name="path"/>, its results committed to
    /// <c>&lt;out&gt;/&lt;<paramref name="outputName"/>&gt;/</c> through <paramref name="staging"/>.</summary>
    public ImageReport Run(string path, string outputName, StagingArea staging)
    {
        var clock = new StageClock();
        var image = ImageInputs.Decode(path, detect.MaxPixels);
        Interruption.ThrowIfRequested();
        double decode = clock.Lap();
        using var pass = Compute(image);
        var (info, detections, result) = (pass.Info, pass.Detections, pass.Result);
        double preprocess = pass.PreprocessMs, forward = pass.ForwardMs;
        clock.Lap();
        Interruption.ThrowIfRequested();

        var names = detector.ClassNames;
        var records = detections.Select((d, i) => DetectionRecord.From(i, d, names)).ToList();
        var overlays = Overlays(pass, image);
        var original = Copy(image);
        var annotator = new Annotator(original);
        foreach (var d in detections) annotator.Draw(DetectionBoxes.Labeled(d, names));
        var quality = Measure(overlays, detections, info);
        var similar = quality.Groups.SelectMany(g => SimilarMaps.Find(g.Key, g.Value, detections, cam.Method, cam.Region,
            g.Key == CamRequest.Auto || _adapter.DefaultLayers.Contains(g.Key))).ToList();
        var sheet = ContactSheet.Compose(original,
            overlays.Select((o, i) => new SheetTile(o.Image, $"{o.Detection} {names[detections[o.Detection].ClassId]} {o.Layer}" +
                (quality.PerOverlay[i] is { } q ? $" in-box {q.EnergyInBox * 100:0}%" : ""))).ToList(),
            columns: Math.Min(overlays.Count + 1, 4));
        double render = clock.Lap();
        Interruption.ThrowIfRequested();

        var maps = new List<MapRecord>();
        var folder = staging.NewFolder(outputName);
        for (int i = 0; i < overlays.Count; i++)
        {
            Interruption.ThrowIfRequested();
            var o = overlays[i];
            string stem = $"{o.Detection}_{Safe(names[detections[o.Detection].ClassId])}_";
            string baseName = stem + o.Layer;
            ImageFiles.SaveJpeg(o.Image, folder.File(baseName + ".jpg"));
            string? raw = null;
            if (cam.DumpMaps && o.Raw is { } r)
            {
                raw = baseName + ".npy";
                Npy.Write(folder.File(raw), r.Data, r.Shape);
            }
            var parts = new List<MapPart>();
            foreach (var (layer, data, shape) in o.Parts)
            {
                string? file = cam.DumpMaps ? stem + layer + ".npy" : null;
                if (file != null) Npy.Write(folder.File(file), data!, shape);
                parts.Add(new MapPart(layer, file));
            }
            var q = cam.Metrics ? quality.PerOverlay[i] : null;
            maps.Add(new MapRecord(o.Detection, o.Layer, cam.MethodName, baseName + ".jpg", raw,
                Math.Round(o.Stats.Min, 9), Math.Round(o.Stats.Max, 9), o.Stats.Empty, parts,
                q is null ? null : new MapMetricsRecord(Math.Round(q.EnergyInBox, 4), q.Pointing, Math.Round(q.LocalisationIoU, 4),
                    q.Distinctness is { } dd ? Math.Round(dd, 4) : null, q.NearestOther)));
        }
        ImageFiles.SaveJpeg(sheet, folder.File("sheet.jpg"));
        double write = clock.Lap();
        var report = new ImageReport(Path.GetFileName(path), outputName, [image.Height, image.Width], [info.InputHeight, info.InputWidth],
            info.Ratio, [info.Dw, info.Dh], detector.Device.Description, Path.GetFileName(detect.Weights), cam.MethodName,
            Study.Name(cam.Score), Study.Name(cam.Region), records, maps, similar,
            new Timings(decode, preprocess, forward, Math.Round(result.BackwardMs, 1), Math.Round(result.MapsMs, 1), render, write, clock.Total));
        File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
        folder.Commit();
        return report; // the same report as the file: --json and report.json never disagree
    }

    DetectionPass Compute(RgbImage image)
    {
        try { return DetectionPass.Run(_adapter, detector, image, detect.ImageSize, detect.NmsFor(detector.DefaultNms), cam.Score, cam.Region, cam.Request(_adapter.DefaultLayers)); }
        catch (ArgumentException e) when (e.Message.Contains("no layer named"))
        {
            var layers = DetectorCam.LayerPaths(detector);
            string problem = e.Message.Replace("CAM: ", "");
            if (problem.IndexOf(" (", StringComparison.Ordinal) is int cut and > 0) problem = problem[..cut];
            throw new CliError($"{problem}; valid layers include {string.Join(", ", layers)} and their parts " +
                "such as model.17.cv3.act (all of them: nativecam layers)");
        }
    }

    /// <summary>One drawn map: <see cref="Group"/> is the set it is compared within (auto, fused or a layer),
    /// <see cref="ImageMap"/> the map at the original image's size (null for guided pictures), <see cref="Parts"/>
    /// the raw layer maps a fused map was made of (data null without --dump-maps).</summary>
    sealed record Overlay(int Detection, string Layer, RgbImage Image, MapStats Stats, (float[] Data, int[] Shape)? Raw,
        string Group, float[]? ImageMap, IReadOnlyList<(string Layer, float[]? Data, int[] Shape)> Parts);

    /// <summary>One overlay per detection and layer: with `auto`, each detection at the layer feeding its own level;
    /// with `fuse`, each detection's maps at the layers feeding Detect fused into one (MapFusion).
    /// Only the wanted maps are rendered (with `auto`, each layer's maps of the detections it is the layer of).</summary>
    List<Overlay> Overlays(DetectionPass pass, RgbImage image)
    {
        var (result, detections, info) = (pass.Result, pass.Detections, pass.Info);
        var names = detector.ClassNames;
        bool Is(string l, string token) => l.Equals(token, StringComparison.OrdinalIgnoreCase);
        bool auto = cam.Layers.Any(l => Is(l, CamRequest.Auto));
        var detectLayers = _adapter.DefaultLayers;
        var named = cam.Layers.Where(l => !Is(l, CamRequest.Auto) && !Is(l, CamOptions.Fuse) && !Is(l, CamOptions.Seed))
            .Select(YoloModel.NormalizeLayerName).ToHashSet();
        if (cam.Layers.Any(l => Is(l, CamOptions.Seed)) || (!cam.Fused && cam.Layers.Any(l => Is(l, CamOptions.Fuse))))
            named.UnionWith(detectLayers);
        bool Wanted(int k, string layer) => named.Contains(layer) || (auto && result.TargetLayers[k] == layer);
        List<int> WantedAt(string layer) => Enumerable.Range(0, detections.Count).Where(k => Wanted(k, layer)).ToList();
        var overlays = new List<Overlay>();
        var options = new HeatmapOptions { HeatmapWeight = cam.Alpha };
        void Draw(Tensor all, List<int> wanted, string layer, string group, Func<int, (float[], int[])?> raw,
            Func<int, IReadOnlyList<(string, float[]?, int[])>> parts)
        {
            HeatmapRender rendered;
            float[][] imageMaps;
            using (var maps = Rows(all, wanted))
            {
                rendered = HeatmapRenderer.Render(maps, info, image, options);
                imageMaps = ImageMaps.ToImage(maps, info);
            }
            for (int j = 0; j < wanted.Count; j++)
            {
                int k = wanted[j];
                new Annotator(rendered.Overlays[j]).Draw(DetectionBoxes.Labeled(detections[k], names));
                overlays.Add(new Overlay(k, layer, rendered.Overlays[j], rendered.Stats[j], raw(k), group, imageMaps[j], parts(k)));
            }
        }
        if (cam.Fused)
        {
            var method = cam.Method!.Value;
            var layerMaps = detectLayers.Select(l => result[method, l]).ToArray();
            using var fused = pass.Fuse(method, detectLayers);
            var hosts = cam.DumpMaps ? layerMaps.Select(m => m.ToHost()).ToArray() : null;
            var fusedHost = cam.DumpMaps ? fused.ToArray() : null;
            int n = info.InputHeight * info.InputWidth;
            Draw(fused, Enumerable.Range(0, detections.Count).ToList(), FusedName, FusedName,
                k => fusedHost is null ? null : (fusedHost.AsSpan(k * n, n).ToArray(), [info.InputHeight, info.InputWidth]),
                k => layerMaps.Select((m, i) => (m.Layer, hosts?[i].Maps[k], new[] { m.Height, m.Width })).ToArray());
        }
        foreach (var m in result.Maps)
        {
            var wanted = WantedAt(m.Layer);
            if (wanted.Count == 0) continue;
            var host = cam.DumpMaps ? m.ToHost() : null;
            Draw(m.Map, wanted, m.Layer, named.Contains(m.Layer) ? m.Layer : CamRequest.Auto,
                k => host is null ? null : (host.Maps[k], [m.Height, m.Width]), _ => []);
        }
        foreach (var (layer, tensor) in result.GuidedGradCam)
        {
            var wanted = WantedAt(layer);
            if (wanted.Count == 0) continue;
            GuidedRender rendered;
            using (var gradients = Rows(tensor, wanted)) rendered = GuidedRenderer.Render(gradients, info);
            var all = cam.DumpMaps ? tensor.ToArray() : null;
            int per = tensor.Length / detections.Count;
            for (int j = 0; j < wanted.Count; j++)
            {
                int k = wanted[j];
                var picture = rendered.Pictures[j];
                new Annotator(picture).Draw(DetectionBoxes.Labeled(detections[k], names));
                overlays.Add(new Overlay(k, layer, picture, rendered.Stats[j],
                    all is null ? null : (all.AsSpan(k * per, per).ToArray(), tensor.Shape[1..]), layer, null, []));
            }
        }
        return overlays.OrderBy(o => o.Detection).ToList();
    }

    /// <summary>The layer name of fused maps in files and reports.</summary>
    public const string FusedName = "fused";

    /// <summary>Each heat map's quality within its group (all detections' maps at one layer, auto or fused), in
    /// overlay order (null for guided pictures); and per group the list, in detection order.</summary>
    static (MapQuality?[] PerOverlay, Dictionary<string, MapQuality[]> Groups) Measure(List<Overlay> overlays, List<Detection> detections, LetterboxInfo info)
    {
        var per = new MapQuality?[overlays.Count];
        var groups = new Dictionary<string, MapQuality[]>();
        foreach (var group in overlays.Select((o, i) => (o, i)).Where(x => x.o.ImageMap != null).GroupBy(x => x.o.Group))
        {
            var members = group.OrderBy(x => x.o.Detection).ToList();
            if (members.Count != detections.Count) continue; // every group holds each detection once
            var q = MapQuality.Measure(members.Select(x => x.o.ImageMap!).ToArray(), info.ImageHeight, info.ImageWidth,
                members.Select(x => detections[x.o.Detection].ImageBox).ToArray());
            for (int j = 0; j < members.Count; j++) per[members[j].i] = q[j];
            groups[group.Key] = q;
        }
        return (per, groups);
    }

    /// <summary>Rows <paramref name="ks"/> (ascending) of <paramref name="t"/> [K, ..] as one tensor [ks.Count, ..]:
    /// a view when they are consecutive, else a copy on the device.</summary>
    static Tensor Rows(Tensor t, List<int> ks)
    {
        int per = t.Length / t.Shape[0];
        int[] shape = [ks.Count, .. t.Shape[1..]];
        if (ks[^1] - ks[0] == ks.Count - 1) return t.Slice(ks[0] * per, shape);
        var rows = Tensor.Empty(t.Device, shape);
        for (int j = 0; j < ks.Count; j++) rows.View.SubView(j * per, per).CopyFrom(t.View.SubView(ks[j] * per, per));
        return rows;
    }

    static RgbImage Copy(RgbImage image) => new(image.Height, image.Width, (byte[])image.Pixels.Clone());

    /// <summary>A class name as a file-name part ("traffic light" → "traffic-light"), at most 40 characters: the names
    /// come from the checkpoint, and a file name has a length limit.</summary>
    static string Safe(string name) => string.Concat(name.Take(40).Select(ch => char.IsLetterOrDigit(ch) ? ch : '-'));
}
