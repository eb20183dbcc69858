using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Tests.Weights;
using NativeCam.Yolo;
using Xunit;
using Xunit.Abstractions;

namespace NativeCam.Tests.Cam.Render;

/// <summary>End to end on samples/bus.jpg: synthetic maps rendered, annotated, written and read back.</summary>
public class RenderFilesTests(ITestOutputHelper output)
{
    static string Bus => Path.Combine(TestPaths.RepoRoot, "samples", "bus.jpg");

    /// <summary>A smooth synthetic map at stride 8 with its peak at (py, px) of the grid.</summary>
    static Tensor Maps(Device device, int k, int h, int w)
    {
        var data = new float[k * h * w];
        for (int m = 0; m < k; m++)
        {
            double py = h * (0.3 + 0.2 * m), px = w * (0.7 - 0.2 * m);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    data[(m * h + y) * w + x] = (float)Math.Exp(-((y - py) * (y - py) + (x - px) * (x - px)) / (2.0 * 9));
        }
        return Tensor.FromArray(device, data, k, h, w);
    }

    [Fact]
    public void BusOverlayWrittenAndDecodedAtOriginalSize()
    {
        var image = ImageLoader.Load(Bus);
        var info = Letterbox.Plan(image.Height, image.Width, 320, 320);
        using var maps = Maps(TestDevice.Default, 2, info.InputHeight / 8, info.InputWidth / 8);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var render = HeatmapRenderer.Render(maps, info, image);
        output.WriteLine($"render 2 maps {maps.Shape[1]}x{maps.Shape[2]} -> {image.Width}x{image.Height}: {sw.ElapsedMilliseconds} ms");
        Assert.All(render.Stats, s => Assert.False(s.Empty));

        var overlay = render.Overlays[0];
        var annotator = new Annotator(overlay);
        annotator.BoxLabel(new Box(50, 400, 250, 900), Annotator.Label("person", 0.88f), Palette.ForClass(0));
        annotator.BoxLabel(new Box(20, 230, 800, 750), Annotator.Label("bus", 0.91f), Palette.ForClass(5));

        using var folder = new TempFolder();
        foreach (var name in new[] { "overlay.jpg", "overlay.png" })
        {
            string path = folder.File(name);
            ImageFiles.Save(overlay, path);
            var back = ImageLoader.Load(path);
            Assert.Equal((image.Height, image.Width), (back.Height, back.Width));
            var (max, _) = RenderFixture.Compare(back.Pixels, overlay.Pixels);
            if (name.EndsWith(".png")) Assert.Equal(0, max);
            else
            {
                double mean = back.Pixels.Zip(overlay.Pixels, (p, q) => Math.Abs(p - q)).Average();
                output.WriteLine($"JPEG q95 round trip: mean |diff| {mean:F2}, max {max}");
                Assert.True(mean < 3, $"JPEG round trip mean difference {mean}");
            }
        }
        Assert.Equal(["overlay.jpg", "overlay.png"], folder.Listing()); // no temp files left behind

        var sheet = ContactSheet.Compose(image, [new SheetTile(render.Overlays[0], "model.17.cv3.act"), new SheetTile(render.Overlays[1], "model.20.cv3.act")]);
        ImageFiles.Save(sheet, folder.File("sheet.jpg"));
        var sheetBack = ImageLoader.Load(folder.File("sheet.jpg"));
        Assert.Equal((sheet.Height, sheet.Width), (sheetBack.Height, sheetBack.Width));

        string? review = Environment.GetEnvironmentVariable("NATIVECAM_RENDER_REVIEW");
        if (!string.IsNullOrEmpty(review))
        {
            ImageFiles.Save(overlay, Path.Combine(review, "bus_overlay.png"));
            ImageFiles.Save(sheet, Path.Combine(review, "bus_sheet.png"));
        }
    }

    [Fact]
    public void FailedWriteLeavesNoFileBehind()
    {
        using var folder = new TempFolder();
        var image = new RgbImage(4, 4, new byte[48]);
        Assert.Throws<ArgumentException>(() => ImageFiles.Save(image, folder.File("x.gif")));
        Assert.Throws<ArgumentException>(() => ImageFiles.SaveJpeg(image, folder.File("x.jpg"), 0));
        ImageFiles.Save(image, folder.File("x.png"));
        ImageFiles.Save(image, folder.File("x.png")); // replaces
        Assert.Equal(["x.png"], folder.Listing());
    }
}
