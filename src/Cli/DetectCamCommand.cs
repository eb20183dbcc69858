using System.CommandLine;
using NativeCam.Cli.Output;
using NativeCam.Cli.Reports;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Spectre.Console;

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
            "<out>/<stem>/<idx>_<class>_<layer>.jpg, a contact sheet <stem>/sheet.jpg and <stem>/report.json " +
            "(docs/report.md).\n\nExamples:\n  nativecam detect-cam samples/bus.jpg\n" +
            "  nativecam detect-cam samples/ --method gradcam++ --layer seed --target cell   (the seed tools' maps)\n" +
            "  nativecam detect-cam samples/bus.jpg --metrics   (each map's quality in report.json)\n" +
            "  nativecam detect-cam samples/zidane.jpg --score conf --dump-maps --out results");
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
            using var device = CommonOptions.OpenDevice(d.Device);
            using var detector = CommonOptions.LoadAnyDetector(device, d.Weights);
            d.CheckClasses(detector.ClassNames.Count);
            DetectorCam.CheckScore(detector, c.Score, c.Method);
            var job = new DetectCamJob(detector, d, c);
            var outputs = OutputName.Unique(files);
            using var staging = new StagingArea(c.Out);
            var reports = new List<ImageReport>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            void RunOne(int i)
            {
                string file = files[i];
                if (outputs[i] != OutputName.ForInput(file))
                    Console.Error.WriteLine($"note: {file} -> {Path.Combine(c.Out, outputs[i])} (another input has the same name)");
                var report = job.Run(file, outputs[i], staging);
                reports.Add(report);
                if (report.SimilarMaps.Count > 0)
                    Console.Error.WriteLine($"warning: {report.Image}: " + string.Join("; ", report.SimilarMaps.Select(g =>
                        $"detections {string.Join(", ", g.Detections)} have (nearly) identical maps at {g.Layer} (correlation {g.Correlation:0.000}): {g.Cause}")));
                if (!asJson)
                    Console.WriteLine($"{report.Image}: {report.ImageHw[1]}x{report.ImageHw[0]} {Summary.Counts(report.Detections)} — " +
                        $"{report.Maps.Count} maps in {report.TimingsMs.Total / 1000:F1} s on {device.Kind.Name()} -> {Path.Combine(c.Out, outputs[i])}");
            }
            int failures = 0;
            if (files.Count > 1 && !asJson && !Console.IsOutputRedirected)
                AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("detect-cam", maxValue: files.Count);
                    failures = PerInput.Each(files.Count, i => { RunOne(i); task.Increment(1); });
                });
            else failures = PerInput.Each(files.Count, RunOne);
            if (files.Count > 1)
            {
                // A folder run ends with one summary line and an index of everything it wrote (docs/cli.md).
                string index = reports.Count > 0 ? IndexPage.Write(c.Out, reports, failures) : "";
                Console.Error.WriteLine($"{reports.Count} images, {reports.Sum(r => r.Detections.Count)} detections, {failures} failed " +
                    $"in {clock.Elapsed.TotalSeconds:F1} s" + (index != "" ? $" -> {index}" : ""));
            }
            if (asJson) Console.WriteLine(ReportJson.Serialize(reports)); // always an array, one report per image (docs/report.md)
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }
}
