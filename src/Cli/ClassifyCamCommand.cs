using NativeCam.Tensors;
using System.CommandLine;
using NativeCam.Cam;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;

namespace NativeCam.Cli;

/// <summary>`nativecam classify-cam IMAGE|DIR... --weights W`: class-activation maps of a torchvision classifier's
/// top-K (or chosen) classes, all from one backward sweep per image.</summary>
public static class ClassifyCamCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images or folders.", Arity = ArgumentArity.ZeroOrMore };
        var options = new ClassifierOptions();
        var method = new Option<string>("--method") { Description = "Methods, comma-separated: gradcam, gradcam++, xgradcam, layercam, hirescam, eigencam, eigengradcam, gradcam-elementwise, cam (the original CAM: needs a global-average-pool → Linear head, at the layer feeding the pool), scorecam (Score-CAM) and ablationcam (Ablation-CAM): one forward per channel of the layer, batched, no backward; fullgrad, integrated-gradients, smoothgrad (maps at the input, the layers ignored); all: every one but cam, scorecam, ablationcam and the three input methods.", DefaultValueFactory = _ => "gradcam" };
        var layer = new Option<string>("--layer") { Description = "auto (layer4 for ResNet, features[-1] for VGG, DenseNet, MobileNet, EfficientNet, SqueezeNet, AlexNet, Mixed_7c for Inception v3, inception5b for GoogLeNet, the last stage for ConvNeXt, as pytorch-grad-cam documents) or module paths, comma-separated (layer3,layer4.1.relu#3).", DefaultValueFactory = _ => "auto" };
        var outDir = new Option<string>("--out") { Description = "Output folder; one sub-folder per image.", DefaultValueFactory = _ => "nativecam-out" };
        var dump = new Option<bool>("--dump-maps") { Description = "Also write each raw map [h, w] as a float32 .npy next to its overlay." };
        var batch = CamOptions.BatchOption();
        var alpha = new Option<double>("--alpha") { Description = "Weight of the heat map in the blend with the image (0..1).", DefaultValueFactory = _ => 0.3 };
        var shared = CamOptions.SharedScaleOption();
        var metrics = new Option<bool>("--metrics") { Description = "Measure each map's faithfulness into report.json (ROAD most/least relevant first at 20/40/60/80 % with noisy linear imputation, confidence change of the input times the map, drop/increase in confidence, deletion/insertion AUC; the confidence is the class's softmax probability) and draw the deletion/insertion curves as curves.png: 40 extra forwards per map, batched, and 8 sparse solves (docs/cam.md#faithfulness)." };
        var smoothing = new MethodOptions();
        var cmd = new Command("classify-cam",
            "Explain a torchvision classifier's classes with class-activation maps: per image <out>/<name>/ with one overlay per " +
            "class × method × layer (<k>_<class>_<method>_<layer>.jpg), sheet.jpg and report.json (docs/classifiers.md).\n\nExamples:\n" +
            "  nativecam classify-cam samples/bus.jpg --weights resnet50.pth\n" +
            "  nativecam classify-cam samples/zidane.jpg --weights densenet121.pth --top 3 --method gradcam,layercam\n" +
            "  nativecam classify-cam samples/zidane.jpg --weights resnet50.pth --class \"golden retriever\" --layer layer3,layer4 --dump-maps\n" +
            "  nativecam classify-cam samples/bus.jpg --weights resnet50.pth --method all --metrics   (every method's faithfulness, side by side)");
        cmd.Arguments.Add(images);
        options.AddTo(cmd, withClass: true);
        foreach (var o in new Option[] { method, layer, outDir, dump, alpha, shared, batch, metrics }) cmd.Options.Add(o);
        smoothing.AddTo(cmd, withAug: true);
        cmd.SetAction(parse =>
        {
            var s = options.Read(parse, defaultTop: 1);
            var methods = CamOptions.ParseMethods(parse.GetValue(method)!, [.. CamOptions.AllClassifierMethods, "cam", .. CamOptions.PerturbationMethods, .. MethodOptions.InputMethods], CamOptions.AllClassifierMethods)
                .Select(m => (m.Name, m.Method!.Value)).ToList();
            var layers = parse.GetValue(layer)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (layers.Length == 0) throw new CliError("--layer needs auto or at least one module path");
            var smooth = smoothing.Read(parse);
            if (smooth.Fuse != null && layers.Length < 2) throw new CliError("--fuse needs two or more --layer paths (comma-separated)");
            double a = parse.GetValue(alpha);
            if (!(a is >= 0 and <= 1)) throw new CliError($"--alpha must be between 0 and 1, got {a}");
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            if (files.Count == 0 && s.Tensor is null) throw new CliError("give an image, a folder or --tensor (try: nativecam classify-cam samples/bus.jpg --weights resnet50.pth)");
            if (files.Count > 0 && s.Tensor != null) throw new CliError("give images or --tensor, not both");
            string outPath = parse.GetValue(outDir)!;
            using var device = CommonOptions.OpenDevice(s.Device);
            using var model = ClassifierOptions.Load(device, s);
            s = s.For(model.Arch); // the published weights' sizes (Inception v3 342/299, EfficientNet, ConvNeXt) unless --size/--resize
            var job = new ClassifyCamJob(device, model, s, methods, layers, parse.GetValue(dump), a, parse.GetValue(shared),
                CamOptions.ReadBatch(parse.GetValue(batch)), parse.GetValue(metrics), smooth);
            var inputs = files.Count > 0 ? files : [s.Tensor!];
            var outputs = OutputName.Unique(inputs);
            using var staging = new StagingArea(outPath);
            var reports = new List<ClassifyCamReport>();
            var progress = FolderProgress.ForConsole(inputs.Count);
            int failures = PerInput.Each(inputs.Count, i =>
            {
                var report = job.Run(files.Count > 0 ? inputs[i] : null, outputs[i], staging);
                reports.Add(report);
                progress.Clear();
                if (!s.Json)
                    Console.WriteLine($"{report.Image}: {string.Join(", ", report.Explained.Select(e => $"{e.ClassId} {e.ClassName} {e.Probability:F3}"))} — " +
                        $"{report.Maps.Count} maps in {report.TotalMs / 1000:F1} s on {device.Kind.Name()} -> {Path.Combine(outPath, outputs[i])}");
                progress.Step(i + 1, report.Image, string.Join(", ", report.Explained.Select(e => $"{e.ClassName} {e.Probability:F2}")), report.TotalMs);
            }, progress);
            progress.Clear();
            if (inputs.Count > 1)
                Summary.EndFolderRun(staging, outPath, "classify-cam", Summary.Run(reports.Count, reports.Sum(r => r.Explained.Count), "classes", failures, progress.Elapsed),
                    reports.Select(IndexEntries.From).ToList());
            if (s.Json) Console.WriteLine(ReportJson.Serialize(reports)); // always an array, one report per image (docs/report.md)
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }
}
