using System.CommandLine;
using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Spectre.Console;

namespace NativeCam.Cli;

/// <summary>`nativecam layers weights`: every named layer of a YOLOv5 model and its output shape for an input size.</summary>
public static class LayersCommand
{
    public static Command Create()
    {
        var weights = new Argument<string>("weights") { Description = "A YOLOv5 checkpoint (.pt) or converted weight file (.msgpack)." };
        var size = CommonOptions.ImageSize();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var device = CommonOptions.Device();
        var cmd = new Command("layers",
            "List the layers CAM can watch (PyTorch module paths, e.g. model.17.cv3.act) with their output shapes, " +
            "from one forward pass on a blank input of the given size. Underscore spellings (model_17_cv3_act) are accepted " +
            "wherever a layer name is. A torchvision Faster R-CNN state dict lists its module paths (backbone.body.layer4, " +
            "backbone.fpn.layer_blocks.0.0, ...) for an image of --img-size × --img-size.\n\nExample:\n  nativecam layers samples/yolov5n.pt --img-size 320");
        cmd.Arguments.Add(weights);
        cmd.Options.Add(size);
        cmd.Options.Add(json);
        cmd.Options.Add(device);
        cmd.SetAction(parse =>
        {
            int s = CommonOptions.CheckImageSize(parse.GetValue(size));
            using var dev = CommonOptions.OpenDevice(parse.GetValue(device));
            if (RetinaFiles.IsRetinaNet(parse.GetValue(weights)!))
                return RetinaLayers.Print(dev, parse.GetValue(weights)!, s, parse.GetValue(json));
            if (RcnnFiles.IsTorchvisionDetector(parse.GetValue(weights)!))
                return RcnnLayers.Print(dev, parse.GetValue(weights)!, s, parse.GetValue(json));
            using var detector = CommonOptions.LoadAnyDetector(dev, parse.GetValue(weights)!);
            var rows = Describe(detector, s);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, shape = r.Shape }),
                    new JsonSerializerOptions { WriteIndented = true }));
            else
            {
                var table = new Table().AddColumn("layer").AddColumn("output shape");
                foreach (var (name, shape) in rows) table.AddRow(Markup.Escape(name), Markup.Escape(Tensor.Format(shape)));
                AnsiConsole.Write(table);
                Console.WriteLine($"{rows.Count} named layers of {detector.LayerCount}-layer {detector.Family} ({detector.ClassNames.Count} classes) at {s}x{s}");
                Console.WriteLine($"detect-cam's default layers (feeding Detect): {string.Join(", ", DetectorCam.Adapter(detector).DefaultLayers)}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs the model once on zeros and lists every named value in forward order.</summary>
    public static List<(string Name, int[] Shape)> Describe(IDetector detector, int size)
    {
        using var input = Tensor.Zeros(detector.Device, 1, 3, size, size);
        using var tape = new Tape();
        detector.Forward(input);
        return tape.NamingOrder.Select(n => (n, tape.Named[n].Shape)).ToList();
    }
}
