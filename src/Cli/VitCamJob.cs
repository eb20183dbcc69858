using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Render;
using NativeCam.Cam.Vit;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Vit;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>What vit-cam computes: rollout (attention rollout), grad-rollout (gradient attention rollout), chefer
/// (Chefer et al. 2021's relevance) or gradcam (token Grad-CAM on one block's norm output).</summary>
public enum VitMethod { Rollout, GradRollout, GradCam, Chefer }

/// <summary>vit-cam's settings, parsed and checked. <paramref name="VitExplainCompat"/>: rollout and grad-rollout as
/// jacobgil/vit-explain computes them (<see cref="NativeCam.Cam.Vit.VitExplainCompat"/>).</summary>
public sealed record VitCamSettings(string Weights, VitMethod Method, string? Class, HeadFusion Fusion, double Discard,
    string? Layer, string Out, bool DumpMaps, double Alpha, long MaxPixels, bool VitExplainCompat = false)
{
    public string MethodName => Method switch
    {
        VitMethod.Rollout => "rollout",
        VitMethod.GradRollout => "grad-rollout",
        VitMethod.Chefer => "chefer",
        _ => "gradcam",
    };

    /// <summary>Whether the method drops a fraction of each layer's attentions (the rollouts).</summary>
    public bool Discards => Method is VitMethod.Rollout or VitMethod.GradRollout;
}

/// <summary>
/// vit-cam for one image: decode → ImageNet preprocessing (or a ready --tensor) → one forward → (one backward for the
/// chosen class) → map on the patch grid → overlay on the centre crop, report, .npy, written atomically to
/// &lt;out&gt;/&lt;stem&gt;/.
/// </summary>
public sealed class VitCamJob(Device device, VitModel model, VitCamSettings settings, VitInput? input = null,
    IReadOnlyList<string>? classNames = null)
{
    readonly IReadOnlyList<string> _names = classNames ?? ImageNetClasses.For(model.Config.Classes);
    readonly VitInput _input = input ?? VitInput.Torchvision;
    readonly VitCamAdapter _adapter = new(model);

    /// <summary>The layer token Grad-CAM reads by default: the last block's norm1 (pytorch-grad-cam's ViT example).</summary>
    public static string DefaultLayer(VitConfig config) => VitCamAdapter.DefaultLayer(config);

    /// <summary>Runs the image at <paramref name="path"/>, or with <paramref name="tensorPath"/> a ready input .npy;
    /// the results are committed to <c>&lt;out&gt;/&lt;name&gt;/</c> through <paramref name="staging"/>.</summary>
    public VitCamReport Run(string? path, string? tensorPath, StagingArea staging, string? outputName = null, int decodeExitCode = ExitCodes.BadInput)
    {
        int size = model.Config.ImageSize;
        var clock = new StageClock();
        RgbImage picture;
        float[] data;
        string name;
        double decode, preprocess;
        if (tensorPath != null)
        {
            data = ReadTensor(tensorPath, size);
            name = tensorPath;
            decode = clock.Lap();
            // No picture: the overlay is drawn on mid grey (docs/vit.md).
            picture = new RgbImage(size, size, Enumerable.Repeat((byte)128, size * size * 3).ToArray());
            preprocess = clock.Lap();
        }
        else
        {
            var image = ImageInputs.Decode(path!, settings.MaxPixels, decodeExitCode);
            name = path!;
            decode = clock.Lap();
            (picture, data) = VitPreprocess.Apply(image, size, _input);
            preprocess = clock.Lap();
        }

        Interruption.ThrowIfRequested();
        using var input = Tensor.FromArray(device, data, 1, 3, size, size);
        var (logits, classId, map, forward, backward) = Compute(input, clock);
        using var _ = map;
        double cam = clock.Lap();
        Interruption.ThrowIfRequested();

        // ratio 1, no padding: the centre crop is both the network input and the "image".
        var info = new LetterboxInfo(1, 0, 0, 0, 0, 0, 0, size, size, size, size, size, size);
        var rendered = HeatmapRenderer.Render(map, info, picture, new HeatmapOptions { HeatmapWeight = settings.Alpha });
        var overlay = rendered.Overlays[0];
        var stats = rendered.Stats[0];
        double render = clock.Lap();

        string stem = outputName ?? OutputName.ForInput(name);
        var folder = staging.NewFolder(stem);
        string file = $"{stem}_{settings.MethodName}.jpg";
        ImageFiles.SaveJpeg(overlay, folder.File(file));
        string? raw = null;
        if (settings.DumpMaps)
        {
            raw = $"{stem}_{settings.MethodName}.npy";
            Npy.Write(folder.File(raw), map.ToArray(), map.Shape[1..]);
        }
        double p = Softmax(logits)[classId];
        var sheet = GridSheet.Compose(
            new GridTile(picture, [$"{Path.GetFileName(name)}: the centre crop the network saw", $"top-1: {_names[Array.IndexOf(logits, logits.Max())]}"], []),
            SheetText.Legend([$"vit-cam: {settings.MethodName}" + (settings.VitExplainCompat ? " (vit-explain compat)" : "")
                + (settings.Method == VitMethod.GradCam ? $" at {Layer}" : settings.Discards ? $", discard {settings.Discard:0.##}" : "")],
                null, allGuided: false, anyGuided: false),
            [[new GridTile(overlay, SheetText.Caption($"{classId} {_names[classId]} {p:F2}", settings.MethodName,
                settings.Method == VitMethod.GradCam ? Layer : "all blocks", null, stats, guided: false), [])]]);
        ImageFiles.SaveJpeg(sheet, folder.File("sheet.jpg"), SheetText.JpegQuality);
        double write = clock.Lap();
        var report = new VitCamReport(Path.GetFileName(name), stem, [size, size], device.Description, Path.GetFileName(settings.Weights),
            settings.MethodName, settings.Method == VitMethod.GradCam ? Layer : null,
            settings.Method == VitMethod.Rollout ? settings.Fusion.ToString().ToLowerInvariant() : null,
            settings.Discards ? settings.Discard : 0, settings.VitExplainCompat ? "vit-explain" : null,
            classId, _names[classId], Math.Round(Softmax(logits)[classId], 6), TopClasses(logits, 5),
            new VitMapRecord(file, raw, Math.Round(stats.Min, 9), Math.Round(stats.Max, 9), stats.Empty), "sheet.jpg",
            new VitTimings(decode, preprocess, forward, backward, cam, render, write, clock.Total));
        File.WriteAllText(folder.File("report.json"), ReportJson.Serialize(report));
        folder.Commit();
        return report with { TimingsMs = report.TimingsMs with { Total = clock.Total } };
    }

    string Layer => settings.Layer ?? DefaultLayer(model.Config);

    /// <summary>Forward, class choice, backward where the method needs it, and the map [1, g, g].</summary>
    (float[] Logits, int ClassId, Tensor Map, double Forward, double Backward) Compute(Tensor input, StageClock clock)
    {
        var attentions = model.AttentionNames;
        using var tape = new Tape();
        if (settings.Method is VitMethod.GradRollout or VitMethod.Chefer) tape.Watch([.. attentions]);
        if (settings.Method == VitMethod.GradCam) tape.Watch(Layer);
        var outputs = _adapter.Forward(Var.Input(input));
        var logits = outputs[0];
        var host = logits.Value.ToArray();
        int classId = ChooseClass(host);
        double forward = clock.Lap();

        if (settings.Method == VitMethod.Rollout)
        {
            var probabilities = attentions.Select(n => tape.Find(n)!.Value).ToList();
            var rollout = settings.VitExplainCompat
                ? VitExplainCompat.AttentionRollout(probabilities, settings.Fusion, settings.Discard)
                : VitExplain.AttentionRollout(probabilities, settings.Fusion, settings.Discard);
            return (host, classId, rollout, forward, 0);
        }

        Var? tokens = null;
        if (settings.Method == VitMethod.GradCam)
        {
            tokens = tape.Find(Layer);
            int t = model.Config.Tokens;
            if (tokens is null || tokens.Shape is not [1, var tt, _] || tt != t)
                throw new CliError($"unknown layer '{Layer}': --layer takes a token layer [1, {t}, C] such as " +
                    $"blocks.0.norm1 … {DefaultLayer(model.Config)}, blocks.N.norm2, blocks.N or norm (docs/vit.md)");
        }
        CamEngine.Backward(_adapter, tape, outputs, new ClassTargets([classId]));
        double backward = clock.Lap();

        if (settings.Method is VitMethod.GradRollout or VitMethod.Chefer)
        {
            var probabilities = attentions.Select(n => tape.Find(n)!.Value).ToList();
            var grads = attentions.Select(n => Drop(tape.Find(n)!.Grad!, 1)).ToList(); // [1, 1, H, T, T] → [1, H, T, T]
            try
            {
                var map = settings.Method == VitMethod.Chefer ? VitExplain.Chefer(probabilities, grads)
                    : settings.VitExplainCompat ? VitExplainCompat.GradientRollout(probabilities, grads, settings.Discard)
                    : VitExplain.GradientRollout(probabilities, grads, settings.Discard);
                return (host, classId, map, forward, backward);
            }
            finally { foreach (var g in grads) g.Dispose(); }
        }
        using var x = Drop(tokens!.Value, 0);       // [1, T, C] → [T, C]
        using var gx = Drop(tokens.Grad!, 1);       // [1, 1, T, C] → [1, T, C]
        return (host, classId, VitExplain.GradCam(x, gx), forward, backward);
    }

    // A view without the size-1 axis `axis`.
    static Tensor Drop(Tensor t, int axis) => t.Reshape([.. t.Shape[..axis], .. t.Shape[(axis + 1)..]]);

    int ChooseClass(float[] logits)
    {
        if (settings.Class is null)
        {
            int best = 0;
            for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }
        return ResolveClass(settings.Class, _names);
    }

    /// <summary>A class id ("207") or name ("golden retriever", any case) → the id; an unknown one is a CliError.</summary>
    public static int ResolveClass(string text, IReadOnlyList<string> names)
    {
        if (int.TryParse(text, out int id))
            return id >= 0 && id < names.Count ? id
                : throw new CliError($"--class {id} is out of range: this model has classes 0..{names.Count - 1}");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], text.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        throw new CliError($"unknown class name '{text}': give an id 0..{names.Count - 1} or a name such as '{names[Math.Min(1, names.Count - 1)]}'");
    }

    List<ClassScore> TopClasses(float[] logits, int count)
    {
        var p = Softmax(logits);
        return Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(count)
            .Select(i => new ClassScore(i, _names[i], Math.Round(logits[i], 6), Math.Round(p[i], 6))).ToList();
    }

    static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
        double total = exp.Sum();
        return exp.Select(e => e / total).ToArray();
    }

    static float[] ReadTensor(string path, int size)
    {
        InputFile.Check(path);
        float[] data;
        int[] shape;
        try { (data, shape) = Npy.Read(path); }
        catch (InvalidDataException e) { throw new CliError(e.Message); }
        if (shape is not [1, 3, var h, var w] || h != size || w != size)
            throw new CliError($"{Path.GetFileName(path)}: --tensor needs a float32 array of shape [1, 3, {size}, {size}] (this model's input), got {Tensor.Format(shape)}");
        return data;
    }
}
