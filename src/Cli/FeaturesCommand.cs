using System.CommandLine;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Cam.Render;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>`nativecam features IMAGE --layer NAME`: the first N channels of a layer, tiled into one picture.</summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "An image (JPEG, PNG, BMP)." };
        var layer = new Option<string>("--layer") { Description = "Layer to show (e.g. model.2 or model.17.cv3.act; see `nativecam layers`).", Required = true };
        var count = new Option<int>("--count") { Description = "How many channels, from the first.", DefaultValueFactory = _ => 64 };
        var gray = new Option<bool>("--gray") { Description = "Grey levels instead of the JET colour map." };
        var output = new Option<string?>("--output") { Description = "Output image (.png or .jpg). Default: <stem>_<layer>_features.png in the current folder." };
        var weights = new Option<string?>("--weights") { Description = "YOLOv5 checkpoint (.pt) or converted weights. Default: the bundled yolov5n." };
        var size = CommonOptions.ImageSize();
        var device = CommonOptions.Device();
        var maxPixels = CommonOptions.MaxPixels();
        var cmd = new Command("features",
            "Write the feature maps of one layer as a grid: the first --count channels, each min-max normalised, " +
            "tiled ceil(sqrt(count)) wide (the classic YOLOv5 feature visualisation).\n\n" +
            "Example:\n  nativecam features samples/bus.jpg --layer model.2 --count 32 --gray");
        cmd.Arguments.Add(image);
        foreach (var o in new Option[] { layer, count, gray, output, weights, size, device, maxPixels }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(image)!, name = YoloModel.NormalizeLayerName(parse.GetValue(layer)!.Trim());
            int n = parse.GetValue(count);
            string? requested = parse.GetValue(output);
            if (requested != null && Path.GetExtension(requested).ToLowerInvariant() is not (".png" or ".jpg" or ".jpeg"))
                throw new CliError($"--output {requested}: the picture's name must end in .png, .jpg or .jpeg");
            if (n < 1 || n > 4096) throw new CliError($"--count must be between 1 and 4096, got {n}");
            using var dev = CommonOptions.OpenDevice(parse.GetValue(device));
            using var detector = CommonOptions.LoadAnyDetector(dev, parse.GetValue(weights) ?? DetectOptions.DefaultWeights());
            using var input = ModelInput.FromImage(dev, path, CommonOptions.CheckImageSize(parse.GetValue(size)),
                CommonOptions.CheckMaxPixels(parse.GetValue(maxPixels)));
            Tensors.Tensor grid;
            try { grid = CamEngine.FeatureGrid(DetectorAdapters.For(detector), input.Tensor, name, n); }
            catch (ArgumentException e) { throw new CliError($"{e.Message} (all layers: nativecam layers)"); }
            using (grid)
            {
                var picture = FeatureGridRenderer.Render(grid, parse.GetValue(gray) ? GridColor.Gray : GridColor.Jet, scale: 2);
                string target = requested ?? $"{Output.OutputName.ForInput(path)}_{name}_features.png";
                ImageFiles.Save(picture, target);
                Console.WriteLine($"{input.Name}: {name}, first {n} channels -> {target} ({picture.Width}x{picture.Height})");
            }
            return 0;
        });
        return cmd;
    }
}
