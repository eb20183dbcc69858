using System.CommandLine;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>The options detect and detect-cam share: weights, input size, NMS settings, device, --tensor.</summary>
public sealed class DetectOptions
{
    readonly Option<string?> _weights = new("--weights") { Description = "YOLOv5 checkpoint (.pt) or converted weights (.msgpack). Default: the bundled official yolov5n." };
    readonly Option<int> _size = CommonOptions.ImageSize();
    readonly Option<double> _conf = new("--conf") { Description = "Confidence threshold (objectness x class probability). Default: 0.25.", DefaultValueFactory = _ => 0.25 };
    readonly Option<double> _iou = new("--iou") { Description = "NMS IoU threshold. Default: 0.45.", DefaultValueFactory = _ => 0.45 };
    readonly Option<string?> _classes = new("--classes") { Description = "Keep only these class ids, comma-separated (e.g. 0,2)." };
    readonly Option<bool> _agnostic = new("--agnostic") { Description = "Class-agnostic NMS: boxes of different classes suppress each other." };
    readonly Option<int> _maxDet = new("--max-det") { Description = "Keep at most this many detections per image. Default: 1000.", DefaultValueFactory = _ => 1000 };
    readonly Option<string?> _tensor = new("--tensor") { Description = "Use this NCHW float32 .npy (already letterboxed and scaled to [0,1]) as the network input instead of an image." };
    readonly Option<string?> _device = CommonOptions.Device();

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _weights, _size, _conf, _iou, _classes, _agnostic, _maxDet, _tensor, _device }) cmd.Options.Add(o);
    }

    public Settings Read(ParseResult parse)
    {
        var nms = new NmsOptions(parse.GetValue(_conf), parse.GetValue(_iou), parse.GetValue(_maxDet),
            ParseClasses(parse.GetValue(_classes)), parse.GetValue(_agnostic));
        try { nms.Validate(); }
        catch (ArgumentException e) { throw new CliError(e.Message.Replace("NMS: ", "")); }
        return new Settings(parse.GetValue(_weights) ?? DefaultWeights(), CommonOptions.CheckImageSize(parse.GetValue(_size)),
            nms, parse.GetValue(_tensor), parse.GetValue(_device));
    }

    static int[]? ParseClasses(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            ids.Add(int.TryParse(part, out int id) && id >= 0 ? id : throw new CliError($"--classes: '{part}' is not a class id"));
        return [.. ids];
    }

    /// <summary>The bundled yolov5n: next to the tool (copied at build), else samples/ in the current folder.</summary>
    public static string DefaultWeights()
    {
        foreach (var dir in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            var path = Path.Combine(dir, "samples", "yolov5n.pt");
            if (File.Exists(path)) return path;
        }
        throw new CliError("the bundled samples/yolov5n.pt was not found: pass --weights FILE");
    }

    public sealed record Settings(string Weights, int ImageSize, NmsOptions Nms, string? Tensor, string? Device)
    {
        /// <summary>The inputs in order: the --tensor file, or the images.</summary>
        public IEnumerable<ModelInput> Inputs(Device device, IReadOnlyList<string> images)
        {
            if (Tensor != null)
            {
                if (images.Count > 0) throw new CliError("--tensor replaces the images: give one or the other");
                yield return ModelInput.FromNpy(device, Tensor);
                yield break;
            }
            foreach (var image in images) yield return ModelInput.FromImage(device, image, ImageSize);
        }
    }
}
