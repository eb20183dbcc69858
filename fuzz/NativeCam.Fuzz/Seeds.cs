using System.Buffers.Binary;
using System.IO.Compression;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Weights;
using NativeCam.Weights.Format;
using NativeCam.Yolo;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NativeCam.Fuzz;

/// <summary>
/// Writes the seeds of fuzz/corpus that are made rather than copied from tests/fixtures: small PNG/BMP/GIF images,
/// .npy arrays, a deflated copy of a .pt and a tiny YOLOv5 weight file whose yaml builds. Deterministic, so
/// re-running it reproduces the committed files byte for byte.
/// </summary>
static class Seeds
{
    public static void Write(string corpus)
    {
        Images(Folder(corpus, "image"));
        Arrays(Folder(corpus, "npy"));
        Yolo(Folder(corpus, "yaml"));
        string pt = Path.Combine(corpus, "pt", "training_numpy.pt");
        if (File.Exists(pt))
        {
            var deflated = Deflate(File.ReadAllBytes(pt));
            File.WriteAllBytes(Path.Combine(Folder(corpus, "pt"), "training_numpy_deflate.pt"), deflated);
            File.WriteAllBytes(Path.Combine(Folder(corpus, "zip"), "training_numpy_deflate.pt"), deflated);
            using var zip = new ZipArchive(new MemoryStream(File.ReadAllBytes(pt)));
            var pickle = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
            using var s = pickle.Open();
            using var copy = File.Create(Path.Combine(Folder(corpus, "pickle"), "training_numpy.pkl"));
            s.CopyTo(copy);
        }
    }

    static string Folder(string corpus, string target) => Directory.CreateDirectory(Path.Combine(corpus, target)).FullName;

    static void Images(string folder)
    {
        using var rgb = new Image<Rgb24>(7, 5);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++) rgb[x, y] = new Rgb24((byte)(x * 36), (byte)(y * 60), (byte)((x + y) * 20));
        rgb.SaveAsPng(Path.Combine(folder, "rgb_7x5.png"));
        rgb.SaveAsPng(Path.Combine(folder, "palette_7x5.png"), new PngEncoder { ColorType = PngColorType.Palette });
        rgb.SaveAsPng(Path.Combine(folder, "grey16_7x5.png"), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        rgb.SaveAsPng(Path.Combine(folder, "interlaced_7x5.png"), new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
        using (var rgba = rgb.CloneAs<Rgba32>())
            rgba.SaveAsPng(Path.Combine(folder, "rgba_7x5.png"), new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        rgb.SaveAsBmp(Path.Combine(folder, "rgb_7x5.bmp"), new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        rgb.SaveAsGif(Path.Combine(folder, "rgb_7x5.gif"), new GifEncoder());
    }

    static void Arrays(string folder)
    {
        Npy.Write(Path.Combine(folder, "f4_2x3.npy"), [0f, 1.5f, -2f, 3.25f, 1e-3f, 7f], [2, 3]);
        Npy.Write(Path.Combine(folder, "f4_4.npy"), [1f, 2f, 3f, 4f], [4]);
        Npy.Write(Path.Combine(folder, "f4_scalar_1x1x1.npy"), [42f], [1, 1, 1]);
        // Version 2.0 header (4-byte length) holding float64 values.
        string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        header = header.PadRight(64 - 12 - 1) + "\n";
        var bytes = new byte[12 + header.Length + 24];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }.CopyTo(bytes, 0);
        bytes[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        System.Text.Encoding.ASCII.GetBytes(header).CopyTo(bytes, 12);
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(12 + header.Length + 8 * i), i - 0.5);
        File.WriteAllBytes(Path.Combine(folder, "f8_v2_3.npy"), bytes);
    }

    /// <summary>A two-level YOLOv5-style network (Conv, C3, Upsample, Concat, Detect) with small random weights.</summary>
    static void Yolo(string folder)
    {
        var config = new Dictionary<string, object?>
        {
            ["nc"] = 2L,
            ["depth_multiple"] = 0.33,
            ["width_multiple"] = 0.25,
            ["anchors"] = new List<object?> { new List<object?> { 10L, 13L, 16L, 30L }, new List<object?> { 30L, 61L, 62L, 45L } },
            ["backbone"] = new List<object?>
            {
                Row(-1L, 1L, "Conv", 16L, 3L, 2L),
                Row(-1L, 1L, "C3", 16L),
                Row(-1L, 1L, "Conv", 32L, 3L, 2L),
            },
            ["head"] = new List<object?>
            {
                Row(-1L, 1L, "nn.Upsample", null, 2L, "nearest"),
                Row(new List<object?> { -1L, 1L }, 1L, "Concat", 1L),
                Row(new List<object?> { 4L, 2L }, 1L, "Detect", "nc", "anchors"),
            },
        };
        var random = new Random(23);
        var tensors = new List<(string Name, HostTensor Tensor)>();
        var weights = StateDict.Generated((name, shape) =>
        {
            var t = new HostTensor(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), shape);
            tensors.Add((name, t));
            return t;
        });
        using (var device = Device.OpenCpu())
        using (YoloModel.Build(device, new YoloCheckpoint(YoloConfig.FromTree(config), weights, new Dictionary<string, ModuleInfo>(), []))) { }
        string path = Path.Combine(folder, "tiny_yolo.msgpack");
        using (var file = File.Create(path))
        {
            var metadata = new WeightMetadata { Architecture = ArchitectureKinds.Yolov5, Config = config, ClassNames = ["cat", "dog"], Stride = [8, 16] };
            var writer = new WeightFileWriter(file, metadata, tensors.Count);
            foreach (var (name, t) in tensors)
            {
                var bytes = new byte[t.Data.Length * 4];
                for (int i = 0; i < t.Data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), t.Data[i]);
                writer.WriteTensor(name, DTypes.Float32, t.Shape, bytes);
            }
            writer.Complete();
        }
        // The seed must get past the parsers into the network build, or it would only teach the fuzzer the refusals.
        using var cpu = Device.OpenCpu();
        using (YoloModel.Build(cpu, YoloCheckpoint.Load(path))) { }
    }

    static List<object?> Row(object from, long number, string module, params object?[] args) =>
        [from, number, module, args.ToList()];

    static byte[] Deflate(byte[] zipBytes)
    {
        using var source = new ZipArchive(new MemoryStream(zipBytes));
        var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = entry.LastWriteTime;
                using var to = copy.Open();
                from.CopyTo(to);
            }
        return output.ToArray();
    }
}
