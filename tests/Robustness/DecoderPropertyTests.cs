using System.Diagnostics;
using CsCheck;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Tests.Weights;
using NativeCam.Weights;
using NativeCam.Weights.Pickle;
using NativeCam.Weights.Torch;
using NativeCam.Yolo;
using NativeCam.Imaging.Jpeg;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using JpegDecoder = NativeCam.Imaging.Jpeg.JpegDecoder;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>
/// Property tests of the parsers of hostile files (the fuzzers' seeds from fuzz/corpus, damaged by random bit flips,
/// byte writes, truncations, splices and deletions): each damaged file either decodes or is refused with the parser's
/// documented exception, within <see cref="TimeLimit"/> and <see cref="AllocationLimit"/>; plus round trips.
/// </summary>
public class DecoderPropertyTests
{
    /// <summary>Longest a seed-sized (≤ 7 KB) input may take to parse.</summary>
    static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>Most bytes one parse of a seed-sized input may allocate.</summary>
    const long AllocationLimit = 256L << 20;

    /// <summary>Iterations per decoder; with seeds of a few KB they take well under a second each.</summary>
    const int Iterations = 150;

    static byte[][] Seeds(string target, params string[] extensions) =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fuzz-corpus", target))
            .Where(f => extensions.Length == 0 || extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

    /// <summary>Runs <paramref name="parse"/> on damaged seeds; it must return or throw one of <paramref name="refusals"/>.</summary>
    static void DamagedInputsAreRefusedCleanly(byte[][] seeds, Action<byte[]> parse, params Type[] refusals)
    {
        Assert.NotEmpty(seeds);
        Mutations.Of(seeds.Length).Sample((seed, edits) =>
        {
            var data = Mutations.Apply(seeds[seed], edits);
            var error = Bounded(() => parse(data));
            if (error is not null && !refusals.Any(t => t.IsInstanceOfType(error)))
                throw new Xunit.Sdk.XunitException($"seed {seed} with edits [{string.Join(", ", edits)}] threw {error.GetType().Name}, not a documented refusal: {error}");
        }, iter: Iterations, threads: 1, seed: null);
    }

    /// <summary>Runs <paramref name="parse"/> on a worker thread; fails on a hang or an allocation over the limit; returns what it threw.</summary>
    static Exception? Bounded(Action parse)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var task = Task.Run(parse);
        try
        {
            if (!task.Wait(TimeLimit)) throw new Xunit.Sdk.XunitException($"parse still running after {TimeLimit.TotalSeconds} s (hang)");
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            return e.InnerException;
        }
        finally
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated <= AllocationLimit, $"parse allocated {allocated} bytes in {clock.ElapsedMilliseconds} ms, over the {AllocationLimit}-byte limit");
        }
        return null;
    }

    [Fact]
    public void DamagedJpegsDecodeOrAreRefused() =>
        DamagedInputsAreRefusedCleanly(Seeds("jpeg"), data => JpegDecoder.Decode(data),
            typeof(InvalidDataException), typeof(JpegUnsupportedException));

    [Fact]
    public void DamagedImagesDecodeOrAreRefused() =>
        DamagedInputsAreRefusedCleanly(Seeds("image"), data => ImageLoader.Decode(data, "damaged", maxPixels: 1L << 22),
            typeof(InvalidDataException));

    [Fact]
    public void DamagedZipsArePickledOrRefused() =>
        DamagedInputsAreRefusedCleanly(Seeds("zip"), data =>
        {
            using var archive = TorchArchive.Open(new MemoryStream(data), "damaged.pt");
            archive.Unpickle();
        }, typeof(WeightFormatException));

    [Fact]
    public void DamagedPicklesRunOrAreRefused() =>
        DamagedInputsAreRefusedCleanly(Seeds("pickle"), data =>
            ModelExtractor.Extract(PickleMachine.Run(data, pid => pid.Count >= 5 && pid[2] is string key && pid[4] is long n && n >= 0
                ? new TorchStorage(key, NativeCam.Weights.DTypes.Float32, n, "cpu")
                : throw new WeightFormatException("not a storage reference")), "damaged.pt"),
            typeof(WeightFormatException));

    [Fact]
    public void DamagedCheckpointsConvertOrAreRefused()
    {
        using var folder = new TempFolder();
        DamagedInputsAreRefusedCleanly(Seeds("pt"), data =>
        {
            string path = folder.File("damaged.pt");
            File.WriteAllBytes(path, data);
            using var checkpoint = TorchCheckpoint.Open(path);
            checkpoint.ReadTensors(ConvertOptions.Default, (_, _, _, _) => { });
        }, typeof(WeightFormatException));
    }

    [Fact]
    public void DamagedNpyFilesReadOrAreRefused()
    {
        using var folder = new TempFolder();
        DamagedInputsAreRefusedCleanly(Seeds("npy"), data =>
        {
            string path = folder.File("damaged.npy");
            File.WriteAllBytes(path, data);
            var (values, shape) = Npy.Read(path);
            Assert.Equal(Tensor.ShapeLength(shape), values.Length);
        }, typeof(InvalidDataException));
    }

    [Fact]
    public void DamagedYolov5YamlsBuildOrAreRefused()
    {
        using var folder = new TempFolder();
        using var device = Device.OpenCpu();
        DamagedInputsAreRefusedCleanly(Seeds("yaml"), data =>
        {
            string path = folder.File("damaged.msgpack");
            File.WriteAllBytes(path, data);
            using var model = YoloModel.Build(device, YoloCheckpoint.Load(path));
        }, typeof(WeightFormatException), typeof(InvalidDataException));
    }

    [Fact]
    public void NpyWriteThenReadGivesBackTheArray()
    {
        using var folder = new TempFolder();
        var gen = Gen.Int[1, 5].Array[0, 4].SelectMany(shape =>
            Gen.Float.Array[shape.Aggregate(1, (a, b) => a * b)].Select(values => (shape, values)));
        gen.Sample((shape, values) =>
        {
            string path = folder.File("roundtrip.npy");
            Npy.Write(path, values, shape);
            var (back, backShape) = Npy.Read(path);
            Assert.Equal(shape, backShape);
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
        }, iter: 100, threads: 1);
    }

    [Fact]
    public void PngsWrittenByImageSharpDecodeToTheirPixels() =>
        RandomImages().Sample((width, height, pixels) =>
        {
            using var image = Image.LoadPixelData<Rgb24>(pixels, width, height);
            using var png = new MemoryStream();
            image.SaveAsPng(png);
            var decoded = ImageLoader.Decode(png.ToArray(), "roundtrip.png");
            Assert.Equal((height, width), (decoded.Height, decoded.Width));
            Assert.Equal(pixels, decoded.Pixels);
        }, iter: 40, threads: 1);

    /// <summary>
    /// Our decoder (libjpeg's ISLOW IDCT) and ImageSharp's own decoder (a float IDCT) read an ImageSharp-encoded 4:4:4
    /// JPEG to pixels within a few levels of each other.
    /// </summary>
    [Fact]
    public void JpegsWrittenByImageSharpDecodeCloseToImageSharpsOwnDecode() =>
        RandomImages().Sample((width, height, pixels) =>
        {
            using var image = Image.LoadPixelData<Rgb24>(pixels, width, height);
            using var jpeg = new MemoryStream();
            image.SaveAsJpeg(jpeg, new JpegEncoder { Quality = 90, ColorType = JpegColorType.YCbCrRatio444 });
            var ours = JpegDecoder.Decode(jpeg.ToArray()).Image;
            using var theirs = Image.Load<Rgb24>(jpeg.ToArray());
            var reference = new byte[width * height * 3];
            theirs.CopyPixelDataTo(reference);
            Assert.Equal((height, width), (ours.Height, ours.Width));
            int worst = ours.Pixels.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
            double mean = ours.Pixels.Zip(reference, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(worst <= JpegMaxDifference && mean <= 1.0, $"{width}x{height}: our decode differs from ImageSharp's by up to {worst} (mean {mean:F3})");
        }, iter: 40, threads: 1);

    const int JpegMaxDifference = 4;

    /// <summary>Small images of smooth gradients plus noise (JPEG-friendly, so decoders agree closely).</summary>
    static Gen<(int Width, int Height, byte[] Pixels)> RandomImages() =>
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[0, 255].Array[6], Gen.Int[0, 8]).SelectMany((w, h, corners, noise) =>
            Gen.Int[-noise, noise].Array[w * h * 3].Select(jitter =>
            {
                var pixels = new byte[w * h * 3];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int c = 0; c < 3; c++)
                        {
                            int i = (y * w + x) * 3 + c;
                            double t = (x + y) / (double)Math.Max(1, w + h - 2);
                            pixels[i] = (byte)Math.Clamp((int)(corners[c] * (1 - t) + corners[3 + c] * t) + jitter[i], 0, 255);
                        }
                return (w, h, pixels);
            }));
}
