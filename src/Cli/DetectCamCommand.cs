using System.CommandLine;
using NativeCam.Cam;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>
/// `nativecam detect-cam IMAGE|DIR...`: the main job. Detect with YOLOv5, then for every detection a heat map of
/// what drove it (one backward sweep for all detections), rendered on the image, plus a contact sheet and a
/// JSON report per image.
/// </summary>
public static class DetectCamCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images (JPEG, PNG, BMP) or folders of them.", Arity = ArgumentArity.ZeroOrMore };
        var detect = new DetectOptions();
        var cam = new CamOptions();
        var json = new Option<bool>("--json") { Description = "Print the reports to stdout instead of the summary: a JSON array, one report per image (docs/report.md)." };
        var cmd = new Command("detect-cam",
            "Detect objects with YOLOv5 and write, per detection, a heat map of what drove it: overlays " +
            "<out>/<stem>/<idx>_<class>_<layer>.jpg, a contact sheet <stem>/sheet.jpg (a row per detection, a column per method " +
            "or layer, a colour bar) and <stem>/report.json (docs/report.md); a folder run also writes <out>/index.html." +
            "\n\nExamples:\n  nativecam detect-cam samples/bus.jpg\n" +
            "  nativecam detect-cam samples/zidane.jpg --method all --shared-scale   (every method, one colour scale)\n" +
            "  nativecam detect-cam samples/ --method gradcam++ --layer seed --target cell   (the seed tools' maps)\n" +
            "  nativecam detect-cam samples/bus.jpg --metrics   (each map's quality in report.json)\n" +
            "  nativecam detect-cam samples/bus.jpg --target-mode sum-class --renormalize   (one map per class, normalised in its boxes)\n" +
            "  nativecam detect-cam samples/zidane.jpg --layer model.17 --faithfulness --img-size 320   (ROAD, deletion/insertion: slow)\n" +
            "  nativecam detect-cam samples/zidane.jpg --score conf --dump-maps --out results\n" +
            "  nativecam detect-cam samples/bus.jpg --weights fasterrcnn_resnet50_fpn.pth --method gradcam   (torchvision Faster R-CNN: docs/detectors.md)");
        cmd.Arguments.Add(images);
        detect.AddTo(cmd);
        cam.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            var d = detect.Read(parse);
            var c = cam.Read(parse);
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            if (files.Count == 0 && d.Tensor is null) throw new CliError("give at least one image or folder (try: nativecam detect-cam samples/bus.jpg)");
            if (d.Tensor != null) throw new CliError("detect-cam needs the image to draw on: --tensor is for `nativecam detect`");
            bool asJson = parse.GetValue(json);
            if (RetinaFiles.IsRetinaNet(d.Weights)) return RetinaDetectCam.Run(d, c, files, asJson); // docs/detectors.md
            if (RcnnFiles.IsTorchvisionDetector(d.Weights)) return RcnnDetectCam.Run(d, c, files, asJson); // docs/detectors.md
            if (c.ScoreIsProb) throw new CliError("unknown --score 'prob' (expected logit, obj or conf; prob is Faster R-CNN's)");
            using var device = CommonOptions.OpenDevice(d.Device);
            using var detector = CommonOptions.LoadAnyDetector(device, d.Weights);
            d.CheckClasses(detector.ClassNames.Count);
            DetectorCam.CheckScore(detector, c.Score);
            foreach (var m in c.HeatMethods) DetectorCam.CheckScore(detector, c.Score, m);
            if (c.Mode == NativeCam.Cam.Yolo.TargetMode.MatchBox && detector is Yolov8Detector)
                throw new CliError($"--target-mode match-box: not available for {detector.Family} yet (YOLOv5 only; docs/cam.md)");
            if (c.Mode == NativeCam.Cam.Yolo.TargetMode.MatchBox && c.HeatMethods.FirstOrDefault(m => m is CamMethod.ScoreCam or CamMethod.AblationCam) is var p && p is CamMethod.ScoreCam or CamMethod.AblationCam)
                throw new CliError($"--target-mode match-box with --method {CamOptions.NameOf(p)}: not available yet (its score is not read from perturbed forwards; docs/cam.md)");
            if (c.Faithfulness && detector is Yolov8Detector)
                throw new CliError($"--faithfulness: not available for {detector.Family} yet (YOLOv5 only; docs/cam.md#faithfulness)");
            var job = new DetectCamJob(detector, d, c);
            var outputs = OutputName.Unique(files);
            using var staging = new StagingArea(c.Out);
            var reports = new List<ImageReport>();
            var progress = FolderProgress.ForConsole(files.Count);
            void RunOne(int i)
            {
                string file = files[i];
                if (outputs[i] != OutputName.ForInput(file))
                {
                    progress.Clear();
                    Console.Error.WriteLine($"note: {file} -> {Path.Combine(c.Out, outputs[i])} (another input has the same name)");
                }
                var report = job.Run(file, outputs[i], staging);
                reports.Add(report);
                progress.Clear();
                if (report.SimilarMaps.Count > 0)
                    Console.Error.WriteLine($"warning: {report.Image}: " + string.Join("; ", report.SimilarMaps.Select(g =>
                        $"detections {string.Join(", ", g.Detections)} have (nearly) identical {g.Method} maps at {g.Layer} (correlation {g.Correlation:0.000}): {g.Cause}")));
                if (!asJson)
                    Console.WriteLine($"{report.Image}: {report.ImageHw[1]}x{report.ImageHw[0]} {Summary.Counts(report.Detections)} — " +
                        $"{report.Maps.Count} maps in {report.TimingsMs.Total / 1000:F1} s on {device.Kind.Name()} -> {Path.Combine(c.Out, outputs[i])}");
                progress.Step(i + 1, report.Image, $"{report.Detections.Count} detections", report.TimingsMs.Total);
            }
            int failures = PerInput.Each(files.Count, RunOne, progress);
            progress.Clear();
            if (files.Count > 1) // a folder run ends with one summary line and an index of everything it wrote (docs/cli.md)
                Summary.EndFolderRun(staging, c.Out, "detect-cam", Summary.Run(reports.Count, reports.Sum(r => r.Detections.Count), "detections", failures, progress.Elapsed),
                    reports.Select(IndexEntries.From).ToList());
            if (asJson) Console.WriteLine(ReportJson.Serialize(reports)); // always an array, one report per image (docs/report.md)
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }
}
