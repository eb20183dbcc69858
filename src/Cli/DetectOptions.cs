using System.CommandLine;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>The options detect and detect-cam share: weights, input size, NMS settings, device, --tensor.</summary>
public sealed class DetectOptions
{
    readonly Option<string?> _weights = new("--weights") { Description = "YOLOv5 or Ultralytics YOLOv8 checkpoint (.pt; the family is read from the file) or converted weights (.msgpack). Default: the bundled official yolov5n." };
    readonly Option<int> _size = CommonOptions.ImageSize();
    readonly Option<double> _conf = new("--conf") { Description = "Confidence threshold (YOLOv5: objectness x class probability; YOLOv8/YOLO11: class probability).", DefaultValueFactory = _ => 0.25 };
    readonly Option<double> _iou = new("--iou") { Description = "NMS IoU threshold (the default is YOLOv5's; a YOLOv8/YOLO11 file uses Ultralytics' 0.7 unless this is given).", DefaultValueFactory = _ => 0.45 };
    readonly Option<string?> _classes = new("--classes") { Description = "Keep only these class ids, comma-separated (e.g. 0,2)." };
    readonly Option<bool> _agnostic = new("--agnostic") { Description = "Class-agnostic NMS: boxes of different classes suppress each other." };
    readonly Option<int> _maxDet = new("--max-det") { Description = "Keep at most this many detections per image (the default is YOLOv5's; a YOLOv8/YOLO11 file uses 300 unless this is given).", DefaultValueFactory = _ => 1000 };
    readonly Option<string?> _tensor = new("--tensor") { Description = "Use this NCHW float32 .npy (already letterboxed and scaled to [0,1]) as the network input instead of an image." };
    readonly Option<string?> _device = CommonOptions.Device();
    readonly Option<long> _maxPixels = CommonOptions.MaxPixels();

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _weights, _size, _conf, _iou, _classes, _agnostic, _maxDet, _tensor, _device, _maxPixels }) cmd.Options.Add(o);
    }

    public Settings Read(ParseResult parse)
    {
        var nms = new NmsOptions(parse.GetValue(_conf), parse.GetValue(_iou), parse.GetValue(_maxDet),
            ParseClasses(parse.GetValue(_classes)), parse.GetValue(_agnostic));
        try { nms.Validate(); }
        catch (ArgumentException e) { throw new CliError(e.Message.Replace("NMS: ", "")); }
        return new Settings(parse.GetValue(_weights) ?? DefaultWeights(), CommonOptions.CheckImageSize(parse.GetValue(_size)),
            nms, parse.GetValue(_tensor), parse.GetValue(_device), CommonOptions.CheckMaxPixels(parse.GetValue(_maxPixels)))
        {
            IouGiven = parse.GetResult(_iou) is { Implicit: false },
            MaxDetGiven = parse.GetResult(_maxDet) is { Implicit: false },
            ImageSizeGiven = parse.GetResult(_size) is { Implicit: false },
        };
    }

    /// <summary>"0,2" → [0, 2]; absent → null (every class). An empty list, an empty entry or a non-number is an error;
    /// ids beyond the model's classes are checked by <see cref="Settings.CheckClasses"/> once it is loaded.</summary>
    static int[]? ParseClasses(string? text)
    {
        if (text is null) return null;
        if (string.IsNullOrWhiteSpace(text)) throw new CliError("--classes needs class ids, comma-separated (e.g. 0,2)");
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            ids.Add(int.TryParse(part, out int id) && id >= 0 ? id
                : throw new CliError(part.Length == 0 ? $"--classes '{text}' has an empty entry" : $"--classes: '{part}' is not a class id"));
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

    /// <summary>The parsed detection options.</summary>
    public sealed record Settings(string Weights, int ImageSize, NmsOptions Nms, string? Tensor, string? Device, long MaxPixels)
    {
        /// <summary>Whether --iou was given (else the detector family's default applies).</summary>
        public bool IouGiven { get; init; }

        /// <summary>Whether --max-det was given.</summary>
        public bool MaxDetGiven { get; init; }

        /// <summary>Whether --img-size was given (Faster R-CNN: its min_size, else torchvision's 800).</summary>
        public bool ImageSizeGiven { get; init; }

        /// <summary>The NMS settings for a detector: its family's IoU and max_det defaults unless given on the command line.</summary>
        public NmsOptions NmsFor(NmsOptions familyDefaults) => Nms with
        {
            IouThreshold = IouGiven ? Nms.IouThreshold : familyDefaults.IouThreshold,
            MaxDetections = MaxDetGiven ? Nms.MaxDetections : familyDefaults.MaxDetections,
        };

        /// <summary>Refuses --classes ids the model does not have.</summary>
        public void CheckClasses(int classCount)
        {
            foreach (int id in Nms.Classes ?? [])
                if (id >= classCount) throw new CliError($"--classes: class {id} does not exist (this model has {classCount} classes, 0..{classCount - 1})");
        }

        /// <summary>The inputs in order, each read when called: the --tensor file, or the images (so that one
        /// unreadable image fails alone).</summary>
        public IEnumerable<Func<ModelInput>> Inputs(Device device, IReadOnlyList<string> images)
        {
            if (Tensor != null)
            {
                if (images.Count > 0) throw new CliError("--tensor replaces the images: give one or the other");
                return [() => ModelInput.FromNpy(device, Tensor)];
            }
            return images.Select(image => (Func<ModelInput>)(() => ModelInput.FromImage(device, image, ImageSize, MaxPixels)));
        }
    }
}
