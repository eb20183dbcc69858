using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;
using Xunit.Abstractions;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The letterbox against YOLOv5-style cv2 letterboxes (tests/reference/yolo_io_reference.py). The source pixels
/// are libjpeg-turbo's decode of the sample, stored as PNG, so both sides resize the same bytes and the
/// comparison isolates the resize + pad + scaling; the whole path from the .jpg files is checked separately.
/// Every fact runs on both implementations: the host code of the `cpu` device and the ILGPU kernel.
/// </summary>
public abstract class LetterboxTests(Device device, ITestOutputHelper output) : BackendTests(device)
{
    public sealed class Simd(ITestOutputHelper output) : LetterboxTests(TestDevice.Simd, output);
    public sealed class Ilgpu(ITestOutputHelper output) : LetterboxTests(TestDevice.Ilgpu, output);

    public static IEnumerable<object[]> Cases => YoloIoFixture.Keys("letterbox", "name");

    public static IEnumerable<object[]> ImageCases =>
        YoloIoFixture.Section("letterbox").Where(e => e.Str("image") != null).Select(e => new object[] { e.Str("name")! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlanMatchesYolov5Numbers(string name)
    {
        var c = YoloIoFixture.Entry("letterbox", "name", name);
        var source = ImageLoader.Load(YoloIoFixture.File(c.Str("source")!));
        var info = Letterbox.Plan(source.Height, source.Width, c.Int("size"), c.Int("size"), scaleUp: c.GetProperty("scaleup").GetBoolean());
        Assert.Equal(c.Double("ratio"), info.Ratio);
        Assert.Equal((c.Double("dw"), c.Double("dh")), (info.Dw, info.Dh));
        Assert.Equal((c.Int("top"), c.Int("bottom"), c.Int("left"), c.Int("right")), (info.PadTop, info.PadBottom, info.PadLeft, info.PadRight));
        Assert.Equal((c.Int("unpad_h"), c.Int("unpad_w")), (info.ResizedHeight, info.ResizedWidth));
        Assert.Equal((c.Int("out_h"), c.Int("out_w")), (info.InputHeight, info.InputWidth));
        Assert.Equal((source.Height, source.Width), (info.ImageHeight, info.ImageWidth));
    }

    [Theory]
    [MemberData(nameof(ImageCases))]
    public void TensorMatchesOpenCv(string name)
    {
        var c = YoloIoFixture.Entry("letterbox", "name", name);
        var source = ImageLoader.Load(YoloIoFixture.File(c.Str("source")!));
        var expected = ImageLoader.Load(YoloIoFixture.File(c.Str("image")!));
        var (input, info) = Letterbox.Apply(TestDevice.CurrentOrDefault, source, c.Int("size"));
        using (input)
        {
            Assert.Equal(new[] { 1, 3, expected.Height, expected.Width }, input.Shape);
            var stats = Compare(input.ToArray(), expected);
            output.WriteLine($"{name}: {info.ImageHeight}x{info.ImageWidth} -> {info.InputHeight}x{info.InputWidth}, " +
                $"max |diff| {stats.MaxLevels}/255, {stats.PixelsDiffering} of {stats.Pixels} pixels differ");
            Assert.True(stats.MaxLevels <= 1, $"{name}: max difference {stats.MaxLevels}/255 > 1/255");
            Assert.Equal(0, stats.PixelsDiffering); // the fixed-point arithmetic is OpenCV's: we expect bit equality
        }
    }

    [Fact]
    public void UnchangedSizeCopiesSourceAndPads()
    {
        var c = YoloIoFixture.Entry("letterbox", "name", "bus_1280_noup");
        var source = ImageLoader.Load(YoloIoFixture.File(c.Str("source")!));
        var (input, info) = Letterbox.Apply(TestDevice.CurrentOrDefault, source, 1280, scaleUp: false);
        using (input)
        {
            Assert.False(info.Resizes);
            var padded = new byte[info.InputHeight * info.InputWidth * 3];
            Array.Fill(padded, Letterbox.PadValue);
            for (int y = 0; y < source.Height; y++)
                Array.Copy(source.Pixels, y * source.Width * 3, padded, ((y + info.PadTop) * info.InputWidth + info.PadLeft) * 3, source.Width * 3);
            var stats = Compare(input.ToArray(), new RgbImage(info.InputHeight, info.InputWidth, padded));
            Assert.Equal(0, stats.PixelsDiffering);
        }
    }

    [Theory]
    [InlineData("bus")]
    [InlineData("zidane")]
    public void JpegPipelineMatchesOpenCv(string stem)
    {
        // Our JPEG decoder reproduces libjpeg-turbo, so .jpg → decode → letterbox must equal cv2.imread +
        // cv2 letterbox byte for byte, like the PNG-sourced cases above.
        var ours = ImageLoader.Load(Path.Combine(SamplesFolder, stem + ".jpg"));
        var cv2 = ImageLoader.Load(YoloIoFixture.File(stem + "_src.png"));
        Assert.Equal((cv2.Height, cv2.Width), (ours.Height, ours.Width));
        var decode = ByteStats(ours.Pixels, cv2.Pixels);
        output.WriteLine($"{stem}.jpg decode, ours vs libjpeg-turbo: {decode}");
        Assert.True(decode.Max == 0, $"{stem}.jpg decode: {decode}");

        var expected = ImageLoader.Load(YoloIoFixture.File(stem + "_640.png"));
        var (input, _) = Letterbox.Apply(TestDevice.CurrentOrDefault, ours, 640);
        using (input)
        {
            var stats = Compare(input.ToArray(), expected);
            output.WriteLine($"{stem}.jpg -> 640 letterbox, ours vs cv2: {stats.PixelsDiffering} of {stats.Pixels} pixels differ");
            Assert.Equal(0, stats.PixelsDiffering);
        }
    }

    sealed record Differences(double Mean, int Max, double Differing, double Over8)
    {
        public override string ToString() =>
            $"mean |diff| {Mean:F3} levels, max {Max}, {Differing:P1} of bytes differ, {Over8:P3} by more than 8";
    }

    static Differences ByteStats(byte[] a, byte[] b)
    {
        long sum = 0, differing = 0, over8 = 0;
        int worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = Math.Abs(a[i] - b[i]);
            sum += d;
            if (d != 0) differing++;
            if (d > 8) over8++;
            worst = Math.Max(worst, d);
        }
        return new Differences((double)sum / a.Length, worst, (double)differing / a.Length, (double)over8 / a.Length);
    }

    internal static string SamplesFolder
    {
        get
        {
            // The repository's samples/ folder, found upward from the test assembly.
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "samples", "bus.jpg"))) return Path.Combine(dir.FullName, "samples");
            throw new DirectoryNotFoundException("samples/bus.jpg not found above " + AppContext.BaseDirectory);
        }
    }

    sealed record Stats(int MaxLevels, int PixelsDiffering, int Pixels);

    // Compares the NCHW tensor with an RGB image (value / 255 as float32, as YOLOv5's .float() / 255).
    static Stats Compare(float[] tensor, RgbImage expected)
    {
        int plane = expected.Height * expected.Width, worst = 0, differing = 0;
        for (int p = 0; p < plane; p++)
        {
            bool differs = false;
            for (int ch = 0; ch < 3; ch++)
            {
                float want = expected.Pixels[3 * p + ch] / 255f;
                float got = tensor[ch * plane + p];
                if (got == want) continue;
                differs = true;
                worst = Math.Max(worst, float.IsNaN(got) ? 255 : (int)Math.Ceiling(Math.Abs(got - want) * 255 - 1e-3));
            }
            if (differs) differing++;
        }
        return new Stats(worst, differing, plane);
    }
}
