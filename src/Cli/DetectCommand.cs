using System.CommandLine;
using NativeCam.Autograd;
using NativeCam.Cli.Reports;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>`nativecam detect IMAGE...`: YOLOv5 detections, as detect.py finds them.</summary>
public static class DetectCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Image files (JPEG, PNG, BMP; recognised by content).", Arity = ArgumentArity.ZeroOrMore };
        var o = new DetectOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON report per input (an array) instead of text." };
        var cmd = new Command("detect",
            "Detect objects with YOLOv5 (letterbox, network, NMS exactly as YOLOv5 v6.1 detect.py) and print them.\n\n" +
            "Examples:\n  nativecam detect samples/bus.jpg\n  nativecam detect samples/zidane.jpg --conf 0.4 --json\n" +
            "  nativecam detect --tensor input.npy        # an already letterboxed [1,3,H,W] float32 array\n" +
            "  nativecam detect samples/bus.jpg --weights fasterrcnn_resnet50_fpn.pth   # torchvision Faster R-CNN (docs/detectors.md)");
        cmd.Arguments.Add(images);
        o.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            var settings = o.Read(parse);
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            if (files.Count == 0 && settings.Tensor is null) throw new CliError("give at least one image, or --tensor FILE.npy");
            if (RetinaFiles.IsRetinaNet(settings.Weights)) return RetinaDetect.Run(settings, files, parse.GetValue(json)); // docs/detectors.md
            if (RcnnFiles.IsTorchvisionDetector(settings.Weights)) return RcnnDetect.Run(settings, files, parse.GetValue(json)); // docs/detectors.md
            using var device = CommonOptions.OpenDevice(settings.Device);
            using var detector = CommonOptions.LoadAnyDetector(device, settings.Weights);
            settings.CheckClasses(detector.ClassNames.Count);
            var nms = settings.NmsFor(detector.DefaultNms);
            var reports = new List<object>();
            var inputs = settings.Inputs(device, files).ToList();
            int failures = PerInput.Each(inputs.Count, k =>
            {
                using var input = inputs[k]();
                List<Detection> detections;
                using (new Tape { Inference = true }) detections = detector.Postprocess(detector.Forward(input.Tensor), input.Info, nms);
                var records = detections.Select((d, i) => DetectionRecord.From(i, d, detector.ClassNames)).ToList();
                if (parse.GetValue(json))
                    reports.Add(new { image = input.Name, input_hw = new[] { input.Info.InputHeight, input.Info.InputWidth }, device = device.Description, detections = records });
                else
                {
                    Console.WriteLine($"{input.Name}: {input.Info.ImageWidth}x{input.Info.ImageHeight} {Summary.Counts(records)}");
                    foreach (var r in records)
                        Console.WriteLine($"  {r.ClassName,-14} {r.Confidence:F2}  [{string.Join(", ", r.BoxXyxy.Select(v => v.ToString("F1")))}]  level {r.Level} cell {r.Cell[0]},{r.Cell[1]}");
                }
            });
            if (parse.GetValue(json)) Console.WriteLine(ReportJson.Serialize(reports));
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }
}
