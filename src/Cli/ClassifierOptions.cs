using System.CommandLine;
using System.Globalization;
using NativeCam.Cam;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>What classify and classify-cam share: the weights (and --arch), the input (images or --tensor), the
/// torchvision transform's options, --top/--class, --device, --json.</summary>
public sealed class ClassifierOptions
{
    readonly Option<string?> _weights = new("--weights") { Description = "torchvision classifier state dict (.pt/.pth zip, or a converted .msgpack): resnet*, resnext*, wide_resnet*, vgg*, densenet*, mobilenet_v2, mobilenet_v3_small/large, shufflenet_v2_*, squeezenet1_0/1_1, alexnet, efficientnet_b0..b7, convnext_*, inception_v3, googlenet. Required." };
    readonly Option<string?> _arch = new("--arch") { Description = "Check the weights are this architecture (resnet50, vgg16_bn, densenet121, mobilenet_v2, ... or a family: resnet, vgg, densenet, mobilenet_v2, mobilenet_v3, shufflenet_v2, squeezenet, alexnet, efficientnet, convnext, inception_v3, googlenet). Default: inferred from the keys and shapes." };
    readonly Option<string?> _tensor = new("--tensor") { Description = "Use this float32 .npy [1, 3, H, W], already normalised, instead of an image (overlays are drawn on grey)." };
    readonly Option<int> _top = new("--top") { Description = "How many of the best classes to report (classify) or explain (classify-cam). Default: 5 for classify, 1 for classify-cam." };
    readonly Option<string?> _class = new("--class") { Description = "Classes to explain instead of the top K: ids or ImageNet names, comma-separated (\"207,golden retriever\")." };
    readonly Option<int?> _size = new("--size") { Description = "Centre crop size. Default: 224 (299 for Inception v3)." };
    readonly Option<int?> _resize = new("--resize") { Description = "Shorter side after resizing, before the crop. Default: size·256/224 (256 for 224; 342 for Inception v3's 299)." };
    readonly Option<string?> _transformInput = new("--transform-input") { Description = "Inception v3 and GoogLeNet: on (default, as torchvision's pretrained inception_v3/googlenet) re-normalises the input inside the model (transform_input=True); off for weights trained with transform_input=False." };
    readonly Option<string?> _interpolation = new("--interpolation") { Description = "Resize filter, PIL's: bilinear or bicubic. Default: the model's published weights' (bicubic for EfficientNet b0 and b2..b7, else bilinear)." };
    readonly Option<bool> _noCrop = new("--no-crop") { Description = "Do not crop: the resized image is the input." };
    readonly Option<string?> _mean = new("--mean") { Description = "Normalisation mean, 3 comma-separated values. Default: ImageNet's 0.485,0.456,0.406." };
    readonly Option<string?> _std = new("--std") { Description = "Normalisation std, 3 comma-separated values. Default: ImageNet's 0.229,0.224,0.225." };
    readonly Option<bool> _json = new("--json") { Description = "Print the report(s) as JSON instead of summary lines." };
    readonly Option<string?> _device = CommonOptions.Device();
    readonly Option<long> _maxPixels = CommonOptions.MaxPixels();

    /// <summary>Adds the options (with --class only for classify-cam).</summary>
    public void AddTo(Command cmd, bool withClass)
    {
        foreach (var o in new Option[] { _weights, _arch, _tensor, _top, _size, _resize, _interpolation, _noCrop, _mean, _std, _json, _device, _maxPixels, _transformInput })
            cmd.Options.Add(o);
        if (withClass) cmd.Options.Add(_class);
    }

    /// <summary>The parsed, checked choices. <paramref name="SizeGiven"/>, <paramref name="ResizeGiven"/>: --size,
    /// --resize were given (else the model's family picks them, <see cref="For"/>); <paramref name="TransformInput"/>:
    /// --transform-input.</summary>
    public sealed record Settings(string Weights, string? Arch, string? Tensor, int Top, string? Classes, ClassifierTransform Transform,
        bool Json, string? Device, long MaxPixels, bool SizeGiven = true, bool ResizeGiven = true, bool? TransformInput = null,
        bool InterpolationGiven = true)
    {
        /// <summary>These settings with the model's own default sizes (Inception v3: Resize(342), CenterCrop(299)) and
        /// interpolation where --size (the crop), --resize and --interpolation were not given; a --size alone still
        /// resizes to size·256/224.</summary>
        public Settings For(ClassifierArch arch)
        {
            var (resize, crop) = ClassifierInput.Sizes(arch);
            return this with
            {
                Transform = Transform with
                {
                    Resize = ResizeGiven || SizeGiven ? Transform.Resize : resize,
                    Crop = SizeGiven || Transform.Crop is null ? Transform.Crop : crop,
                    Interpolation = InterpolationGiven ? Transform.Interpolation : ClassifierInput.Interpolation(arch),
                },
            };
        }
    }

    /// <summary>Reads and checks the options.</summary>
    public Settings Read(ParseResult parse, int defaultTop)
    {
        string weights = parse.GetValue(_weights) ?? throw new CliError("--weights is required: a torchvision classifier state dict such as resnet50.pth");
        int top = parse.GetResult(_top) is null ? defaultTop : parse.GetValue(_top);
        if (top < 1) throw new CliError($"--top must be at least 1, got {top}");
        int size = parse.GetValue(_size) ?? 224; // the family may pick its own when not given (Settings.For)
        if (size is < 1 or > 4096) throw new CliError($"--size must be 1..4096, got {size}");
        int resize = parse.GetValue(_resize) ?? size * 256 / 224;
        if (resize is < 1 or > 8192) throw new CliError($"--resize must be 1..8192, got {resize}");
        var interpolation = parse.GetValue(_interpolation)?.Trim().ToLowerInvariant() switch
        {
            null or "bilinear" => Interpolation.Bilinear,
            "bicubic" => Interpolation.Bicubic,
            var v => throw new CliError($"--interpolation must be bilinear or bicubic, got '{v}'"),
        };
        var transform = new ClassifierTransform(resize, parse.GetValue(_noCrop) ? null : size,
            Triple(parse.GetValue(_mean), "--mean"), Triple(parse.GetValue(_std), "--std"), interpolation);
        if (transform.Std is { } s && s.Any(v => !(v > 0))) throw new CliError("--std values must be positive");
        bool? transformInput = parse.GetValue(_transformInput)?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "on" or "true" => true,
            "off" or "false" => false,
            var v => throw new CliError($"--transform-input must be on or off, got '{v}'"),
        };
        return new Settings(weights, parse.GetValue(_arch), parse.GetValue(_tensor), top, parse.GetValue(_class), transform,
            parse.GetValue(_json), parse.GetValue(_device), CommonOptions.CheckMaxPixels(parse.GetValue(_maxPixels)),
            parse.GetValue(_size) is not null, parse.GetValue(_resize) is not null, transformInput,
            parse.GetValue(_interpolation) is not null);
    }

    internal static float[]? Triple(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[3];
        if (parts.Length != 3 || parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).Any(ok => !ok)
            || values.Any(v => !float.IsFinite(v)))
            throw new CliError($"{option} needs 3 comma-separated numbers, got '{text}'");
        return values;
    }

    /// <summary>Loads and builds the classifier, unreadable or unsupported files as one-line errors.</summary>
    public static ClassifierModel Load(Device device, Settings s) =>
        WeightErrors.Guard(s.Weights, () =>
        {
            ClassifierModel model;
            try { model = ClassifierModel.Build(device, ClassifierCheckpoint.Load(s.Weights, s.Arch)); }
            catch (InvalidDataException e) { throw new CliError($"{Path.GetFileName(s.Weights)}: {e.Message}"); }
            try { ClassifierInput.SetTransformInput(model, s.TransformInput); }
            catch (ArgumentException e)
            {
                model.Dispose();
                throw new CliError($"--transform-input: {e.Message}");
            }
            return model;
        });

    /// <summary>The picture shown and the input [1, 3, H, W] of one image or of --tensor.</summary>
    public static (RgbImage Picture, float[] Data, int[] Shape) Prepare(Settings s, string? image)
    {
        if (image is null)
        {
            InputFile.Check(s.Tensor!);
            float[] data;
            int[] shape;
            try { (data, shape) = Npy.Read(s.Tensor!); }
            catch (InvalidDataException e) { throw new CliError(e.Message); }
            if (shape is not [1, 3, var h, var w] || h < 1 || w < 1)
                throw new CliError($"{Path.GetFileName(s.Tensor)}: --tensor needs a float32 array [1, 3, H, W], got {Tensor.Format(shape)}");
            return (new RgbImage(h, w, Enumerable.Repeat((byte)128, h * w * 3).ToArray()), data, shape);
        }
        var decoded = ImageInputs.Decode(image, s.MaxPixels);
        try
        {
            var (picture, input) = s.Transform.Apply(decoded);
            return (picture, input, [1, 3, picture.Height, picture.Width]);
        }
        catch (ArgumentException e) { throw new CliError($"{image}: {e.Message}", ExitCodes.SomeInputsFailed); }
    }

    /// <summary>Softmax probabilities of logits, in double.</summary>
    public static double[] Softmax(float[] logits) => ClassPass.Softmax(logits);

    /// <summary>The K best classes, best first (ties by id).</summary>
    public static int[] Top(float[] logits, int k) => ClassPass.Top(logits, k);
}
