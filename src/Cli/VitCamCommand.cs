using System.CommandLine;
using System.Globalization;
using NativeCam.Cam.Vit;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Cli;

/// <summary>
/// `nativecam vit-cam IMAGE --weights vit.pt`: classify one image with a Vision Transformer and write a map of what
/// drove the class (attention rollout, gradient rollout or token Grad-CAM) on the centre-cropped image, plus a JSON
/// report (docs/vit.md).
/// </summary>
public static class VitCamCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images (JPEG, PNG, BMP) or folders of them.", Arity = ArgumentArity.ZeroOrMore };
        var weights = new Option<string?>("--weights") { Description = "ViT state dict: timm/DeiT or torchvision .pt, Hugging Face ViTForImageClassification model.safetensors or pytorch_model.bin (its config.json and preprocessor_config.json beside it are read), or a converted .msgpack. Required." };
        var method = new Option<string>("--method") { Description = "rollout (attention rollout), grad-rollout (class-specific gradient rollout), chefer (Chefer et al. 2021's gradient-weighted attention relevance) or gradcam (token Grad-CAM).", DefaultValueFactory = _ => "rollout" };
        var cls = new Option<string?>("--class") { Description = "Class to explain: an id or an ImageNet name (\"golden retriever\"; class{i} for heads that are not 1000-way). Default: the top-1 class." };
        var fusion = new Option<string>("--head-fusion") { Description = "rollout: how the heads of a layer are fused, mean, max or min.", DefaultValueFactory = _ => "mean" };
        var discard = new Option<double>("--discard") { Description = "rollout and grad-rollout: fraction of the lowest attentions dropped per layer, in [0, 1).", DefaultValueFactory = _ => VitExplain.DefaultDiscardRatio };
        var compat = new Option<string>("--compat") { Description = "rollout and grad-rollout: none (NativeCam's rules) or vit-explain (jacobgil/vit-explain's numbers exactly, its discard, normalisation and gradient pairing included; docs/vit-explain.md).", DefaultValueFactory = _ => "none" };
        var layer = new Option<string?>("--layer") { Description = "gradcam: the token layer [1, T, C]. Default: the last block's norm1 (blocks.11.norm1 for ViT-B)." };
        var heads = new Option<int?>("--heads") { Description = "Attention heads, needed when the hidden width is not ViT-B's 768 (3 for DeiT-Ti, 6 for ViT-S, 16 for ViT-L)." };
        var mean = new Option<string?>("--mean") { Description = "Normalisation mean, 3 comma-separated values (timm's augreg ViTs: 0.5,0.5,0.5). Default: the checkpoint's (ImageNet's; a Hugging Face file's preprocessor config)." };
        var std = new Option<string?>("--std") { Description = "Normalisation std, 3 comma-separated positive values. Default: the checkpoint's, as --mean." };
        var outDir = new Option<string>("--out") { Description = "Output folder; results go to <out>/<stem>/.", DefaultValueFactory = _ => "nativecam-out" };
        var json = new Option<bool>("--json") { Description = "Print the report to stdout instead of the summary line: a JSON array of one report, like every command (docs/report.md)." };
        var dump = new Option<bool>("--dump-maps") { Description = "Also write the raw map on the patch grid [g, g] as a float32 .npy." };
        var tensor = new Option<string?>("--tensor") { Description = "Use this float32 .npy [1, 3, S, S], already normalised, as the input instead of an image (the overlay is drawn on grey)." };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the heat map in the blend with the image (0..1).", DefaultValueFactory = _ => 0.3 };
        var device = CommonOptions.Device();
        var maxPixels = CommonOptions.MaxPixels();
        var cmd = new Command("vit-cam",
            "Classify images with a Vision Transformer and write a heat map of what drove the class on the centre crop " +
            "the network saw: <out>/<stem>/<stem>_<method>.jpg, sheet.jpg and report.json (docs/vit.md); a folder run also writes <out>/index.html. Preprocessing is torchvision's " +
            "ViT_B_16 ImageNet transform (resize to S·256/224, centre crop S, ImageNet mean/std), or for a Hugging Face file its ViTImageProcessor's (resize to S×S, mean/std 0.5).\n\nExamples:\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights vit_b_16.pt\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights vit_b_16.pt --method grad-rollout --class \"golden retriever\"\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights vit_b_16.pt --method chefer\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights vit-base-patch16-224/model.safetensors --method grad-rollout\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights deit_tiny.pt --heads 3 --compat vit-explain --head-fusion max\n" +
            "  nativecam vit-cam samples/zidane.jpg --weights deit_tiny.pt --heads 3 --method gradcam --layer blocks.11.norm1 --json\n" +
            "  nativecam vit-cam --tensor input.npy --weights vit_b_16.pt --head-fusion max --discard 0.95 --dump-maps");
        cmd.Arguments.Add(images);
        foreach (var o in new Option[] { weights, method, cls, fusion, discard, compat, layer, heads, mean, std, outDir, json, dump, tensor, alpha, device, maxPixels })
            cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string? tensorPath = parse.GetValue(tensor);
            var given = parse.GetValue(images) ?? [];
            if (given.Length == 0 && tensorPath is null) throw new CliError("give an image (try: nativecam vit-cam samples/zidane.jpg --weights vit_b_16.pt)");
            if (given.Length > 0 && tensorPath != null) throw new CliError("give an image or --tensor, not both");
            string weightsPath = parse.GetValue(weights) ?? throw new CliError("--weights is required: a ViT state dict such as vit_b_16.pt");
            var m = (parse.GetValue(method) ?? "rollout").ToLowerInvariant() switch
            {
                "rollout" => VitMethod.Rollout,
                "grad-rollout" => VitMethod.GradRollout,
                "chefer" => VitMethod.Chefer,
                "gradcam" => VitMethod.GradCam,
                var other => throw new CliError($"unknown --method '{other}': use rollout, grad-rollout, chefer or gradcam"),
            };
            bool vitExplain = (parse.GetValue(compat) ?? "none").ToLowerInvariant() switch
            {
                "none" => false,
                "vit-explain" => true,
                var other => throw new CliError($"unknown --compat '{other}': use none or vit-explain"),
            };
            if (vitExplain && m is not (VitMethod.Rollout or VitMethod.GradRollout))
                throw new CliError("--compat vit-explain applies to --method rollout and grad-rollout only (vit-explain has no other method)");
            var f = (parse.GetValue(fusion) ?? "mean").ToLowerInvariant() switch
            {
                "mean" => HeadFusion.Mean,
                "max" => HeadFusion.Max,
                "min" => HeadFusion.Min,
                var other => throw new CliError($"unknown --head-fusion '{other}': use mean, max or min"),
            };
            double d = parse.GetValue(discard);
            if (!(d >= 0 && d < 1)) throw new CliError($"--discard must be in [0, 1), got {d.ToString(CultureInfo.InvariantCulture)}");
            double a = parse.GetValue(alpha);
            if (!(a >= 0 && a <= 1)) throw new CliError($"--alpha must be in [0, 1], got {a.ToString(CultureInfo.InvariantCulture)}");
            string? l = parse.GetValue(layer);
            if (l != null && m != VitMethod.GradCam) throw new CliError("--layer applies to --method gradcam only (the rollouts use every block's attention)");
            var settings = new VitCamSettings(weightsPath, m, parse.GetValue(cls), f, d, l, CommonOptions.CheckOut(parse.GetValue(outDir)),
                parse.GetValue(dump), a, CommonOptions.CheckMaxPixels(parse.GetValue(maxPixels)), vitExplain);

            var meanValues = ClassifierOptions.Triple(parse.GetValue(mean), "--mean");
            var stdValues = ClassifierOptions.Triple(parse.GetValue(std), "--std");
            if (stdValues is not null && stdValues.Any(v => !(v > 0))) throw new CliError($"--std needs 3 positive numbers, got '{parse.GetValue(std)}'");

            var files = ImageInputs.Expand(given);
            if (files.Count == 1) InputFile.Check(files[0]);
            bool asJson = parse.GetValue(json);
            using var dev = CommonOptions.OpenDevice(parse.GetValue(device));
            var (model, checkpoint) = LoadVit(dev, weightsPath, parse.GetValue(heads));
            using var _ = model;
            using var staging = new StagingArea(settings.Out);
            var input = checkpoint.Input with { Mean = meanValues ?? checkpoint.Input.Mean, Std = stdValues ?? checkpoint.Input.Std };
            var job = new VitCamJob(dev, model, settings, input, checkpoint.ClassNames);
            var outputs = files.Count > 0 ? OutputName.Unique(files) : [OutputName.ForInput(tensorPath!)];
            var progress = FolderProgress.ForConsole(outputs.Count);
            var reports = new List<VitCamReport>();
            int failures = PerInput.Each(outputs.Count, i =>
            {
                // One image named on the command line that cannot be read is bad input (exit 2); in a folder run it is skipped (exit 1).
                var report = files.Count > 0
                    ? job.Run(files[i], null, staging, outputs[i], files.Count > 1 ? ExitCodes.SomeInputsFailed : ExitCodes.BadInput)
                    : job.Run(null, tensorPath, staging, outputs[i]);
                reports.Add(report);
                progress.Clear();
                if (!asJson)
                {
                    var top = report.Logits[0];
                    Console.WriteLine($"{report.Image}: {report.ClassId} {report.ClassName} (p {report.ClassProbability:F3}; " +
                        $"top-1 {top.ClassId} {top.ClassName}) — {report.Method} map in {report.TimingsMs.Total / 1000:F1} s on " +
                        $"{dev.Kind.Name()} -> {Path.Combine(settings.Out, report.Output)}");
                }
                progress.Step(i + 1, report.Image, $"{report.ClassName} {report.ClassProbability:F2}", report.TimingsMs.Total);
            }, progress);
            progress.Clear();
            if (outputs.Count > 1)
                Summary.EndFolderRun(staging, settings.Out, "vit-cam", Summary.Run(reports.Count, reports.Count, "classes", failures, progress.Elapsed),
                    reports.Select(IndexEntries.From).ToList());
            if (asJson) Console.WriteLine(ReportJson.Serialize(reports)); // an array, one report per image, as every command prints
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }

    /// <summary>Loads and builds a ViT, turning unreadable, non-ViT or unsupported files into one-line errors.</summary>
    static (VitModel Model, VitCheckpoint Checkpoint) LoadVit(NativeCam.Tensors.Device device, string path, int? heads) =>
        WeightErrors.Guard(path, () =>
        {
            try
            {
                var checkpoint = VitCheckpoint.Load(path, heads);
                return (VitModel.Build(device, checkpoint), checkpoint);
            }
            catch (InvalidDataException e)
            {
                string name = Path.GetFileName(path);
                throw new CliError(e.Message.StartsWith(name, StringComparison.Ordinal) ? e.Message : $"{name}: {e.Message}");
            }
        });
}
