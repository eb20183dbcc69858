using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Weights;
using NativeCam.Weights.Pickle;
using NativeCam.Weights.Torch;
using NativeCam.Yolo;
using NativeCam.Imaging.Jpeg;
using SixLabors.ImageSharp;

namespace NativeCam.Fuzz;

/// <summary>
/// One fuzz target per parser of hostile files. Each feeds the bytes to the parser's public entry point and
/// swallows only the exceptions that parser documents for bad input; anything else escapes and is a crash.
/// </summary>
public static class Targets
{
    /// <summary>The pixel limit the image target passes to <see cref="ImageLoader"/> (its default is
    /// ImageLoader.DefaultMaxPixels): a small cap keeps the fuzzer's executions fast and within its heap limit.</summary>
    public const long HarnessMaxPixels = 1L << 22;

    /// <summary>The targets by name, as <c>fuzz/run.sh</c> and the corpus folders call them.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["jpeg"] = Jpeg,
        ["image"] = Image,
        ["zip"] = Zip,
        ["pickle"] = Pickle,
        ["pt"] = Pt,
        ["npy"] = Npy,
        ["yaml"] = Yaml,
    };

    /// <summary>Our JPEG decoder alone: corrupt data is InvalidDataException, unsupported flavours JpegUnsupportedException.</summary>
    public static void Jpeg(byte[] data)
    {
        if (!JpegDecoder.IsJpeg(data)) return;
        try
        {
            var decoded = JpegDecoder.Decode(data);
            Check(decoded.Image.Pixels.Length == decoded.Image.Height * decoded.Image.Width * 3, "pixel buffer does not match the size");
        }
        catch (InvalidDataException) { }
        catch (JpegUnsupportedException) { }
    }

    /// <summary>The whole image path (JPEG, PNG, BMP and whatever ImageSharp recognises): every refusal is InvalidDataException,
    /// including ImageSharp's own crashes on hostile files (docs/security.md, finding 2, fixed in ImageLoader).</summary>
    public static void Image(byte[] data)
    {
        try
        {
            var image = ImageLoader.Decode(data, "fuzz", HarnessMaxPixels);
            Check(image.Pixels.Length == image.Height * image.Width * 3, "pixel buffer does not match the size");
        }
        catch (InvalidDataException) { }
    }

    /// <summary>The zip container and the pickle inside it, with storages resolved against the zip: WeightFormatException.</summary>
    public static void Zip(byte[] data)
    {
        try
        {
            using var archive = TorchArchive.Open(new MemoryStream(data, writable: false), "fuzz.pt");
            archive.Unpickle();
        }
        catch (WeightFormatException) { }
    }

    /// <summary>The pickle VM and the model walk over what it built: WeightFormatException.</summary>
    public static void Pickle(byte[] data)
    {
        try
        {
            var root = PickleMachine.Run(data, pid => pid.Count >= 5 && pid[2] is string key && pid[4] is long n && n >= 0
                ? new TorchStorage(key, DTypes.Float32, n, "cpu")
                : throw new WeightFormatException("not a storage reference"));
            ModelExtractor.Extract(root, "fuzz.pt");
        }
        catch (WeightFormatException) { }
    }

    /// <summary>A whole .pt: open (zip, pickle, model walk, metadata) and convert every tensor: WeightFormatException.</summary>
    public static void Pt(byte[] data)
    {
        string path = Scratch("pt");
        File.WriteAllBytes(path, data);
        try
        {
            using var checkpoint = TorchCheckpoint.Open(path);
            checkpoint.ReadTensors(ConvertOptions.Default, (_, _, _, _) => { });
        }
        catch (WeightFormatException) { }
    }

    /// <summary>The .npy reader: InvalidDataException.</summary>
    public static void Npy(byte[] data)
    {
        string path = Scratch("npy");
        File.WriteAllBytes(path, data);
        try
        {
            var (values, shape) = NativeCam.Tensors.Npy.Read(path);
            Check(values.Length == Tensor.ShapeLength(shape), "values do not fill the shape");
        }
        catch (InvalidDataException) { }
    }

    /// <summary>
    /// A converted weight file whose metadata carries a YOLOv5 yaml: the MessagePack reader, the yaml reader
    /// (<see cref="YoloConfig"/>) and the network built from it. Refusals are WeightFormatException or InvalidDataException.
    /// </summary>
    public static void Yaml(byte[] data)
    {
        string path = Scratch("msgpack");
        File.WriteAllBytes(path, data);
        try
        {
            var checkpoint = YoloCheckpoint.Load(path);
            using var model = YoloModel.Build(Cpu.Value, checkpoint);
        }
        catch (WeightFormatException) { }
        catch (InvalidDataException) { }
    }

    static readonly Lazy<Device> Cpu = new(Device.OpenCpu);

    static string Scratch(string extension)
    {
        string folder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        return Path.Combine(folder, $"nativecam-fuzz-{Environment.ProcessId}.{extension}");
    }

    static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException($"fuzz invariant broken: {what}");
    }
}
