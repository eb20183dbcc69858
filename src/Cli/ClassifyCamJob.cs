using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Cam.Faithfulness;
using NativeCam.Cam.Render;
using NativeCam.Classifiers;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Cli;

/// <summary>
/// classify-cam for one image: preprocess → one forward (the K classes chosen from it) → one K-target backward sweep →
/// every method at every layer → one overlay per class × method × layer on the picture the network saw, a contact
/// sheet and report.json, committed atomically to &lt;out&gt;/&lt;name&gt;/.
/// </summary>
public sealed class ClassifyCamJob(Device device, ClassifierModel model, ClassifierOptions.Settings settings,
    IReadOnlyList<(string Name, CamMethod Method)> methods, string[] layers, bool dumpMaps, double alpha, bool sharedScale = false, int batch = 0,
    bool metrics = false, MethodOptions.Settings? smoothing = null)
{
    readonly ClassifierCamAdapter _adapter = new(model);
    readonly IReadOnlyList<string> _names = ImageNetClasses.For(model.Arch.Classes);

    /// <summary>Runs <paramref name="image"/> (null: --tensor) into &lt;out&gt;/<paramref name="outputName"/>/.</summary>
    public ClassifyCamReport Run(string? image, string outputName, StagingArea staging)
    {
        var clock = new StageClock();
        var (picture, data, shape) = ClassifierOptions.Prepare(settings, image);
        using var input = Tensor.FromArray(device, data, shape);
        ClassPass pass;
        try
        {
            pass = ClassPass.Run(_adapter, input, logits => settings.Classes is null ? ClassPass.Top(logits, settings.Top)
                : settings.Classes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => VitCamJob.ResolveClass(c, _names)).Distinct().ToArray(),
                (smoothing ?? MethodOptions.Settings.Default).Apply(methods.Select(m => m.Method).ToArray(), layers, batch: batch));
        }
        catch (ArgumentException e) when (e.Message.StartsWith("CAM: ", StringComparison.Ordinal)) { throw new CliError(e.Message["CAM: ".Length..]); }
        catch (InputTooSmallException e) { throw new CliError($"{Path.GetFileName(image ?? settings.Tensor!)}: {e.Message}", ExitCodes.SomeInputsFailed); }
        using var _ = pass;
        var (logits, classes, result) = (pass.Logits, pass.Classes, pass.Result);
        Interruption.ThrowIfRequested();

        var p = pass.Probabilities();
        ClassPrediction Prediction(int i) => new(i, _names[i], Math.Round(logits[i], 6), Math.Round(p[i], 6));
        int h = shape[2], w = shape[3];
        var info = new LetterboxInfo(1, 0, 0, 0, 0, 0, 0, h, w, h, w, h, w);
        var folder = staging.NewFolder(outputName);
        var records = new List<ClassMapRecord>();
        var tiles = classes.Select(_ => new List<GridTile?>()).ToList(); // one row per class, one column per method × layer
        using var fusedMaps = new FusedMaps(Fused(result, h, w));
        var allMaps = result.Maps.Concat(fusedMaps.Maps).ToList();
        MapStats? shared = sharedScale ? MapStats.Union(allMaps.SelectMany(m => HeatmapRenderer.Stats(m.Map, info))) : null;
        var curves = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
        foreach (var map in allMaps)
        {
            string method = methods.First(m => m.Method == map.Method).Name;
            var rendered = HeatmapRenderer.Render(map.Map, info, picture, new HeatmapOptions { HeatmapWeight = alpha, SharedRange = shared });
            var host = dumpMaps || metrics ? map.ToHost() : null;
            var faithfulness = metrics ? Faithfulness(host!, data, shape, classes) : null;
            for (int k = 0; k < classes.Length; k++)
            {
                int c = classes[k];
                string baseName = $"{k}_{Safe(_names[c])}_{method}_{OutputName.Safe(map.Layer)}";
                ImageFiles.SaveJpeg(rendered.Overlays[k], folder.File(baseName + ".jpg"));
                string? raw = null;
                if (dumpMaps)
                {
                    raw = baseName + ".npy";
                    Npy.Write(folder.File(raw), host!.Maps[k], [map.Height, map.Width]);
                }
                var stats = rendered.Stats[k];
                var f = faithfulness?[k];
                records.Add(new ClassMapRecord(c, _names[c], map.Layer, method, baseName + ".jpg", raw,
                    Math.Round(stats.Min, 9), Math.Round(stats.Max, 9), stats.Empty, f));
                if (f != null) curves.Add(($"{k} {_names[c]} {method} {map.Layer}", f.DeletionCurve, f.InsertionCurve));
                tiles[k].Add(new GridTile(rendered.Overlays[k], SheetText.Caption($"{k} {_names[c]} {p[c]:F2}", method, map.Layer, f?.Caption, stats, guided: false), []));
            }
        }
        var overview = new GridTile(picture, [$"{Path.GetFileName(image ?? settings.Tensor!)} as the network saw it ({w}x{h})",
            $"top-1: {_names[ClassifierOptions.Top(logits, 1)[0]]}"], []);
        var title = new List<string>
        {
            $"classify-cam: {model.Arch.Name}",
            (methods.Count > 1 ? "methods: " : "method: ") + string.Join(", ", methods.Select(m => m.Name)),
            result.Maps.Count > 1 ? "one row per class, one column per method and layer" : "one tile per class",
        };
        var sheet = GridSheet.Compose(overview, SheetText.Legend(title, shared, allGuided: false, anyGuided: false),
            tiles.Select(r => (IReadOnlyList<GridTile?>)r).ToList());
        ImageFiles.SaveJpeg(sheet, folder.File("sheet.jpg"), SheetText.JpegQuality);
        if (metrics) ImageFiles.SavePng(CurvePlot.Draw(curves), folder.File("curves.png"));
        var report = new ClassifyCamReport(Path.GetFileName(image ?? settings.Tensor!), outputName, [h, w], model.Arch.Name,
            Path.GetFileName(settings.Weights), device.Description, ClassifierOptions.Top(logits, 5).Select(Prediction).ToList(),
            classes.Select(Prediction).ToList(), allMaps.Select(m => m.Layer).Distinct().ToList(), records, "sheet.jpg",
            Math.Round(clock.Total, 1), metrics ? "curves.png" : null);
        File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
        folder.Commit();
        return report;
    }

    /// <summary>--metrics: each class's map as pytorch-grad-cam hands it to its metrics (scaled to [0, 1], resized to the
    /// input: <see cref="MapAggregation.Final"/>) measured with the class's softmax probability as the confidence.</summary>
    FaithfulnessRecord[] Faithfulness(HostCamMap host, float[] input, int[] shape, int[] classes)
    {
        int c = shape[1], h = shape[2], w = shape[3];
        var maps = classes.Select((_, k) => MapAggregation.Final([(host.Maps[k], host.Height, host.Width)], h, w)).ToArray();
        var options = new FaithfulnessOptions { BatchSize = batch > 0 ? batch : FaithfulnessBatch };
        var confidence = BatchConfidence.Classifier(device, _adapter.Forward, c, h, w);
        return FaithfulnessMetrics.Measure(confidence, input, c, h, w, maps, classes, options).Select(s => FaithfulnessRecord.From(s, options)).ToArray();
    }

    /// <summary>Perturbed inputs per forward of --metrics when --batch is not given.</summary>
    const int FaithfulnessBatch = 8;

    /// <summary>With --fuse, per layer method with two or more layer maps, their fusion as a map at layer `fused` [K, H, W].</summary>
    List<CamMap> Fused(CamResult result, int height, int width)
    {
        var fused = new List<CamMap>();
        if (smoothing?.Fuse is not { } rule) return fused;
        var kernels = CamKernels.For(device);
        foreach (var method in methods.Select(m => m.Method).Where(m => !InputAttribution.InInputSpace(m)))
        {
            var layerMaps = result.Maps.Where(m => m.Method == method).ToList();
            if (layerMaps.Count < 2) continue;
            var map = MapFusion.Fuse(layerMaps, height, width, rule);
            var range = Tensor.Empty(device, map.Shape[0], 2);
            kernels.MapRange(map, height * width, range);
            fused.Add(new CamMap(FusedName, method, map, range));
        }
        return fused;
    }

    /// <summary>The layer name of a --fuse map in files and report.json.</summary>
    public const string FusedName = "fused";

    sealed class FusedMaps(List<CamMap> maps) : IDisposable
    {
        public List<CamMap> Maps { get; } = maps;
        public void Dispose() { foreach (var m in Maps) m.Dispose(); }
    }

    // A class name as a file-name part ("golden retriever" → "golden-retriever"), at most 40 characters.
    static string Safe(string name) => string.Concat(name.Take(40).Select(ch => char.IsLetterOrDigit(ch) ? ch : '-'));
}
