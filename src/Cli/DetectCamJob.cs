using ILGPU.Runtime;
using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Cam.Faithfulness;
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
        var rows = pass.Rows; // the detection each map row is drawn and measured with (itself, or its class's best)
        double preprocess = pass.PreprocessMs, forward = pass.ForwardMs;
        clock.Lap();
        Interruption.ThrowIfRequested();

        var names = detector.ClassNames;
        var records = detections.Select((d, i) => DetectionRecord.From(i, d, names)).ToList();
        MapStats? shared = cam.SharedScale ? SharedRange(pass) : null;
        var overlays = Overlays(pass, image, shared);
        var quality = Measure(overlays, rows, info);
        var faithfulness = cam.Faithfulness ? Faithful(pass, image, overlays) : new FaithfulnessRecord?[overlays.Count];
        var similar = cam.Mode != TargetMode.PerDetection ? [] : quality.Groups.SelectMany(g => SimilarMaps.Find(g.Key.Group, g.Value, detections, g.Key.Method, cam.Region,
            g.Key.Group == CamRequest.Auto || _adapter.DefaultLayers.Contains(g.Key.Group), cam.NameOf(g.Key.Method))).ToList();
        var sheet = Sheet(path, image, pass, overlays, quality.PerOverlay, faithfulness, shared);
        double render = clock.Lap();
        Interruption.ThrowIfRequested();

        var maps = new List<MapRecord>();
        var folder = staging.NewFolder(outputName);
        for (int i = 0; i < overlays.Count; i++)
        {
            Interruption.ThrowIfRequested();
            var o = overlays[i];
            // One method: <idx>_<class>_<layer> (as always); several: the method too, or their files would collide.
            string stem = $"{pass.Groups[o.Detection][0]}_{Safe(names[rows[o.Detection].ClassId])}_" + (cam.Methods.Count > 1 ? o.Method + "_" : "");
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
            var group = pass.Groups[o.Detection];
            maps.Add(new MapRecord(group[0], o.Layer, o.Method, baseName + ".jpg", raw,
                Math.Round(o.Stats.Min, 9), Math.Round(o.Stats.Max, 9), o.Stats.Empty, parts,
                q is null ? null : new MapMetricsRecord(Math.Round(q.EnergyInBox, 4), q.Pointing, Math.Round(q.LocalisationIoU, 4),
                    q.Distinctness is { } dd ? Math.Round(dd, 4) : null, q.NearestOther is { } no ? pass.Groups[no][0] : null),
                group, faithfulness[i]));
        }
        ImageFiles.SaveJpeg(sheet, folder.File("sheet.jpg"), SheetText.JpegQuality);
        if (cam.Faithfulness)
            ImageFiles.SavePng(CurvePlot.Draw(overlays.Select((o, i) => (o, f: faithfulness[i])).Where(x => x.f != null)
                .Select(x => ($"{pass.Groups[x.o.Detection][0]} {names[rows[x.o.Detection].ClassId]} {x.o.Method} {x.o.Layer}",
                    x.f!.DeletionCurve, x.f.InsertionCurve)).ToList()), folder.File("curves.png"));
        double write = clock.Lap();
        var report = new ImageReport(Path.GetFileName(path), outputName, [image.Height, image.Width], [info.InputHeight, info.InputWidth],
            info.Ratio, [info.Dw, info.Dh], detector.Device.Description, Path.GetFileName(detect.Weights), cam.MethodName,
            Study.Name(cam.Score), Study.Name(cam.Region), shared is { } sr ? [Math.Round(sr.Min, 9), Math.Round(sr.Max, 9)] : null,
            records, maps, similar,
            new Timings(decode, preprocess, forward, Math.Round(result.BackwardMs, 1), Math.Round(result.MapsMs, 1), render, write, clock.Total),
            CamOptions.NameOf(cam.Mode), cam.Renormalize, cam.Faithfulness ? "curves.png" : null);
        File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
        folder.Commit();
        return report; // the same report as the file: --json and report.json never disagree
    }

    /// <summary>The contact sheet: the image with every detection, then one row per detection with one column per
    /// method and layer (docs/rendering.md#contact-sheets).</summary>
    RgbImage Sheet(string path, RgbImage image, DetectionPass pass, List<Overlay> overlays, MapQuality?[] quality,
        FaithfulnessRecord?[] faithfulness, MapStats? shared)
    {
        var names = detector.ClassNames;
        var detections = pass.Detections;
        var columns = overlays.Select(o => (o.Method, o.Group)).Distinct().ToList();
        var rows = pass.Rows.Select((d, k) => (IReadOnlyList<GridTile?>)columns.Select(c =>
        {
            int i = overlays.FindIndex(o => o.Detection == k && (o.Method, o.Group) == c);
            if (i < 0) return null;
            var o = overlays[i];
            var members = pass.Groups[k];
            string label = cam.Mode == TargetMode.MatchBox ? $"{members.Length} matched" : members.Length > 1 ? $"{names[d.ClassId]} x{members.Length}" : Annotator.Label(names[d.ClassId], d.Confidence);
            string? measured = string.Join("  ", new[] { quality[i] is { } q ? $"in-box {q.EnergyInBox * 100:0}%" : null, faithfulness[i]?.Caption }.OfType<string>());
            var caption = SheetText.Caption($"{members[0]} {label}", o.Method, o.Layer,
                measured.Length > 0 ? measured : null, o.Stats, o.Method == CamOptions.GuidedName);
            return new GridTile(o.Plain, caption, members.Select(m => DetectionBoxes.Labeled(detections[m], names)).ToList());
        }).ToList()).ToList();
        var overview = new GridTile(image, [$"{Path.GetFileName(path)} {image.Width}x{image.Height}", Summary.Counts(detections.Select((d, i) => DetectionRecord.From(i, d, names)))],
            detections.Select(d => DetectionBoxes.Labeled(d, names)).ToList());
        var title = new List<string>
        {
            $"detect-cam: {Study.Name(cam.Score)} score, {Study.Name(cam.Region)} target" +
                (cam.Mode != TargetMode.PerDetection ? $", {CamOptions.NameOf(cam.Mode)}" : "") + (cam.Renormalize ? ", renormalized in boxes" : ""),
            (cam.Methods.Count > 1 ? "methods: " : "method: ") + string.Join(", ", cam.Methods.Select(m => m.Name)),
            columns.Count > 1 ? $"one row per {RowName}, one column per " + (cam.Methods.Count > 1 ? "method" : "layer")
                : $"one tile per {RowName}",
        };
        return GridSheet.Compose(overview, SheetText.Legend(title, shared, cam.HeatMethods.Count == 0, cam.Guided), rows);
    }

    string RowName => cam.Mode switch { TargetMode.SumClass => "class", TargetMode.MatchBox => "set of matched boxes", _ => "detection" };

    /// <summary>One range for every heat map of the image (--shared-scale): the union of what each map's render would find.</summary>
    MapStats SharedRange(DetectionPass pass)
    {
        var options = new HeatmapOptions { HeatmapWeight = cam.Alpha };
        var all = new List<MapStats>();
        foreach (var set in HeatMapSets(pass))
            using (var rows = Rows(set.All, set.Wanted)) all.AddRange(HeatmapRenderer.Stats(rows, pass.Info, options));
        return MapStats.Union(all);
    }

    DetectionPass Compute(RgbImage image)
    {
        try { return DetectionPass.Run(_adapter, detector, image, detect.ImageSize, detect.NmsFor(detector.DefaultNms), cam.Score, cam.Region, cam.Request(_adapter.DefaultLayers), cam.Mode, cam.References); }
        catch (ArgumentException e) when (e.Message.Contains("no layer named"))
        {
            var layers = DetectorCam.LayerPaths(detector);
            string problem = e.Message.Replace("CAM: ", "");
            if (problem.IndexOf(" (", StringComparison.Ordinal) is int cut and > 0) problem = problem[..cut];
            throw new CliError($"{problem}; valid layers include {string.Join(", ", layers)} and their parts " +
                "such as model.17.cv3.act (all of them: nativecam layers)");
        }
    }

    /// <summary>One drawn map: <see cref="Group"/> is the set it is compared within (auto, fused or a layer) for its
    /// <see cref="Method"/>, <see cref="Image"/> the overlay with its box (the file), <see cref="Plain"/> without it (the
    /// sheet draws boxes after scaling), <see cref="ImageMap"/> the map at the original image's size (null for guided
    /// pictures), <see cref="Parts"/> the raw layer maps a fused map was made of (data null without --dump-maps),
    /// <see cref="InputMap"/> the map at the network input scaled to [0, 1] (--faithfulness only). <see cref="Detection"/> is
    /// the map's row: a detection, or with --target-mode sum-class a class (DetectionPass.Groups).</summary>
    sealed record Overlay(int Detection, string Method, string Layer, RgbImage Image, RgbImage Plain, MapStats Stats, (float[] Data, int[] Shape)? Raw,
        string Group, float[]? ImageMap, IReadOnlyList<(string Layer, float[]? Data, int[] Shape)> Parts, float[]? InputMap);

    /// <summary>All detections' maps of one method at one layer (or fused), and which of them are drawn.</summary>
    sealed record MapSet(string Method, string Layer, string Group, Tensor All, List<int> Wanted, Func<int, (float[], int[])?> Raw,
        Func<int, IReadOnlyList<(string, float[]?, int[])>> Parts);

    bool IsLayer(string l, string token) => l.Equals(token, StringComparison.OrdinalIgnoreCase);

    /// <summary>The layers named on the command line (plus the layers feeding Detect for seed, and for guided pictures
    /// also for fuse: they are not fused).</summary>
    HashSet<string> Named(bool guided)
    {
        var named = cam.Layers.Where(l => !IsLayer(l, CamRequest.Auto) && !IsLayer(l, CamOptions.Fuse) && !IsLayer(l, CamOptions.Seed))
            .Select(YoloModel.NormalizeLayerName).ToHashSet();
        if (cam.Layers.Any(l => IsLayer(l, CamOptions.Seed) || (guided && IsLayer(l, CamOptions.Fuse)))) named.UnionWith(_adapter.DefaultLayers);
        return named;
    }

    /// <summary>Which detections are drawn at <paramref name="layer"/>: all where it is named, with `auto` those whose layer it is.</summary>
    List<int> WantedAt(CamResult result, int count, string layer, HashSet<string> named)
    {
        bool auto = cam.Layers.Any(l => IsLayer(l, CamRequest.Auto));
        return Enumerable.Range(0, count).Where(k => named.Contains(layer) || (auto && result.TargetLayers[k] == layer)).ToList();
    }

    /// <summary>Every heat-map set to draw, method by method: with `fuse`, the detections' maps at the layers feeding
    /// Detect fused into one (MapFusion; the tensor lives until the caller moves on), then the named or auto layers.</summary>
    IEnumerable<MapSet> HeatMapSets(DetectionPass pass)
    {
        var (result, detections, info) = (pass.Result, pass.Rows, pass.Info);
        var detectLayers = _adapter.DefaultLayers;
        var named = Named(guided: false);
        var everyone = Enumerable.Range(0, detections.Count).ToList();
        if (detections.Count == 0) yield break; // no targets: the engine computed no maps
        foreach (var method in cam.HeatMethods)
        {
            string name = cam.NameOf(method);
            if (cam.Fused && !InputAttribution.InInputSpace(method))
            {
                var layerMaps = detectLayers.Select(l => result[method, l]).ToArray();
                using var fused = cam.Smoothing?.Fuse is { } rule ? MapFusion.Fuse(layerMaps, info.InputHeight, info.InputWidth, rule)
                    : pass.Fuse(method, detectLayers);
                var hosts = cam.DumpMaps ? layerMaps.Select(m => m.ToHost()).ToArray() : null;
                var fusedHost = cam.DumpMaps ? fused.ToArray() : null;
                int n = info.InputHeight * info.InputWidth;
                yield return new MapSet(name, FusedName, FusedName, fused, everyone,
                    k => fusedHost is null ? null : (fusedHost.AsSpan(k * n, n).ToArray(), [info.InputHeight, info.InputWidth]),
                    k => layerMaps.Select((m, i) => (m.Layer, hosts?[i].Maps[k], new[] { m.Height, m.Width })).ToArray());
            }
            foreach (var m in result.Maps.Where(m => m.Method == method))
            {
                var wanted = InputAttribution.InInputSpace(method) ? everyone : WantedAt(result, detections.Count, m.Layer, named);
                if (wanted.Count == 0) continue;
                var host = cam.DumpMaps ? m.ToHost() : null;
                yield return new MapSet(name, m.Layer, named.Contains(m.Layer) || InputAttribution.InInputSpace(method) ? m.Layer : CamRequest.Auto, m.Map, wanted,
                    k => host is null ? null : (host.Maps[k], [m.Height, m.Width]), _ => []);
            }
        }
    }

    /// <summary>One overlay per detection, method and layer (only the wanted maps are rendered: with `auto`, each
    /// layer's maps of the detections it is the layer of), ordered by detection, then method as given.</summary>
    List<Overlay> Overlays(DetectionPass pass, RgbImage image, MapStats? shared)
    {
        var (result, detections, info) = (pass.Result, pass.Rows, pass.Info);
        var overlays = new List<Overlay>();
        var options = new HeatmapOptions { HeatmapWeight = cam.Alpha, SharedRange = shared };
        foreach (var set in HeatMapSets(pass))
        {
            HeatmapRender rendered;
            float[][] imageMaps, inputMaps;
            using (var rows = Rows(set.All, set.Wanted))
            using (var renormalized = cam.Renormalize ? Renormalized(rows, set.Wanted, pass) : null)
            {
                var maps = renormalized ?? rows;
                rendered = HeatmapRenderer.Render(maps, info, image, options);
                imageMaps = ImageMaps.ToImage(maps, info);
                inputMaps = cam.Faithfulness ? InputMaps(maps, info) : new float[set.Wanted.Count][];
            }
            for (int j = 0; j < set.Wanted.Count; j++)
            {
                int k = set.Wanted[j];
                overlays.Add(new Overlay(k, set.Method, set.Layer, Boxed(rendered.Overlays[j], pass, k), rendered.Overlays[j], rendered.Stats[j],
                    set.Raw(k), set.Group, imageMaps[j], set.Parts(k), inputMaps[j]));
            }
        }
        var guidedNamed = Named(guided: true);
        foreach (var (layer, tensor) in result.GuidedGradCam)
        {
            var wanted = WantedAt(result, detections.Count, layer, guidedNamed);
            if (wanted.Count == 0) continue;
            GuidedRender rendered;
            using (var gradients = Rows(tensor, wanted)) rendered = GuidedRenderer.Render(gradients, info);
            var all = cam.DumpMaps ? tensor.ToArray() : null;
            int per = tensor.Length / detections.Count;
            for (int j = 0; j < wanted.Count; j++)
            {
                int k = wanted[j];
                var picture = rendered.Pictures[j];
                overlays.Add(new Overlay(k, CamOptions.GuidedName, layer, Boxed(picture, pass, k), picture, rendered.Stats[j],
                    all is null ? null : (all.AsSpan(k * per, per).ToArray(), tensor.Shape[1..]), guidedNamed.Contains(layer) ? layer : CamRequest.Auto, null, [], null));
            }
        }
        var order = cam.Methods.Select(m => m.Name).ToList();
        return overlays.OrderBy(o => o.Detection).ThenBy(o => order.IndexOf(o.Method)).ToList();
    }

    /// <summary>A copy of <paramref name="picture"/> with the boxes and labels of the detections map row
    /// <paramref name="k"/> stands for (the overlay file).</summary>
    RgbImage Boxed(RgbImage picture, DetectionPass pass, int k)
    {
        var copy = Copy(picture);
        var annotator = new Annotator(copy);
        foreach (int m in pass.Groups[k]) annotator.Draw(DetectionBoxes.Labeled(pass.Detections[m], detector.ClassNames));
        return copy;
    }

    /// <summary>--renormalize: maps [n, h, w] of rows <paramref name="ks"/> brought to the network input (bilinear, as the
    /// renderer's first resize) and renormalised inside the boxes of the detections each row stands for
    /// (<see cref="BoxRenormalization"/>, whole-box scaling; boxes in input pixels, truncated to integers as the tutorial).</summary>
    static Tensor Renormalized(Tensor maps, List<int> ks, DetectionPass pass)
    {
        int h = pass.Info.InputHeight, w = pass.Info.InputWidth;
        var host = InputMaps(maps, pass.Info, scale: false);
        var result = new float[ks.Count * h * w];
        for (int j = 0; j < ks.Count; j++)
        {
            var boxes = pass.Groups[ks[j]].Select(m => pass.Detections[m].InputBox)
                .Select(b => BoxRenormalization.Truncate(b.X1, b.Y1, b.X2, b.Y2)).ToArray();
            BoxRenormalization.Apply(host[j], h, w, boxes).CopyTo(result, j * h * w);
        }
        return Tensor.FromArray(maps.Device, result, [ks.Count, h, w]);
    }

    /// <summary>Maps [n, h, w] at the network input [n][H·W], bilinear (the renderer's resize), each scaled to [0, 1] as
    /// pytorch-grad-cam's <c>scale_cam_image</c> unless <paramref name="scale"/> is false: what the faithfulness metrics perturb with.</summary>
    static float[][] InputMaps(Tensor maps, LetterboxInfo info, bool scale = true)
    {
        int n = maps.Shape[0], plane = info.InputHeight * info.InputWidth;
        using var input = Tensor.Empty(maps.Device, n, info.InputHeight, info.InputWidth);
        HeatmapKernels.ResizeBilinear(maps, input);
        var all = input.ToArray();
        return Enumerable.Range(0, n).Select(k => all.AsSpan(k * plane, plane).ToArray()).Select(m => scale ? MapAggregation.Scale(m) : m).ToArray();
    }

    /// <summary>--faithfulness: every heat map measured (<see cref="FaithfulnessMetrics"/>) on the letterboxed input, the
    /// confidence being each row's detection's own (σ(obj)·σ(cls), or the class probability for YOLOv8/YOLO11) re-read
    /// at its level, anchor and grid cell in every perturbed forward, as Score-CAM re-finds a one-cell target.</summary>
    FaithfulnessRecord?[] Faithful(DetectionPass pass, RgbImage image, List<Overlay> overlays)
    {
        var result = new FaithfulnessRecord?[overlays.Count];
        var device = detector.Device;
        var (input, info) = Letterbox.Apply(device, image, detect.ImageSize);
        float[] data;
        using (input) data = input.ToArray();
        var targets = YoloTargets.FromDetections(pass.Rows, CamScore.Confidence, TargetRegion.Cell);
        var scorer = _adapter as ICamScores<YoloTargets> ?? throw new CliError($"--faithfulness: not available for {detector.Family} yet (YOLOv5 only; docs/cam.md)");
        var options = new FaithfulnessOptions { BatchSize = cam.Batch > 0 ? cam.Batch : 8 };
        Var[]? seen = null;
        double[] scores = [];
        var confidence = BatchConfidence.From(device, _adapter.Forward, 3, info.InputHeight, info.InputWidth, (outputs, b, k) =>
        {
            if (!ReferenceEquals(seen, outputs)) (seen, scores) = (outputs, scorer.Scores(outputs, targets));
            return scores[b * targets.Count + k];
        });
        var measured = overlays.Select((o, i) => (o, i)).Where(x => x.o.InputMap != null).ToList();
        var scoresOf = FaithfulnessMetrics.Measure(confidence, data, 3, info.InputHeight, info.InputWidth,
            measured.Select(x => x.o.InputMap!).ToArray(), measured.Select(x => x.o.Detection).ToArray(), options);
        for (int j = 0; j < measured.Count; j++) result[measured[j].i] = FaithfulnessRecord.From(scoresOf[j], options);
        return result;
    }

    /// <summary>The layer name of fused maps in files and reports.</summary>
    public const string FusedName = "fused";

    /// <summary>Each heat map's quality within its group (all detections' maps at one layer, auto or fused), in
    /// overlay order (null for guided pictures); and per group the list, in detection order.</summary>
    (MapQuality?[] PerOverlay, Dictionary<(CamMethod? Method, string Group), MapQuality[]> Groups) Measure(List<Overlay> overlays, List<Detection> detections, LetterboxInfo info)
    {
        var per = new MapQuality?[overlays.Count];
        var groups = new Dictionary<(CamMethod? Method, string Group), MapQuality[]>();
        foreach (var group in overlays.Select((o, i) => (o, i)).Where(x => x.o.ImageMap != null).GroupBy(x => (CamOptions.Methods[x.o.Method], x.o.Group)))
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
