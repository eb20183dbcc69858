using System.Text.Json;
using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>The main job, run as a user runs it: `nativecam detect-cam` on the bundled sample, and its error paths.</summary>
public class DetectCamCommandTests
{
    static string Root => Yolo.YoloFixture.RepoRoot();
    static string Sample(string file) => Path.Combine(Root, "samples", file);
    static readonly TimeSpan Slow = TimeSpan.FromMinutes(4);

    static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), $"nc-cam-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void TheDefaultsGiveEachDetectionAFusedMapOfItsOwnWithItsPartsAndMetrics()
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("bus.jpg"), "--out", outDir, "--dump-maps", "--metrics", "--device", "cpu");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Empty(run.ErrorLines);
            var folder = Path.Combine(outDir, "bus");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var r = doc.RootElement;
            Assert.Equal(("layercam", "logit", "box"), (r.GetProperty("method").GetString(), r.GetProperty("score").GetString(), r.GetProperty("target").GetString()));
            Assert.Equal(0, r.GetProperty("similar_maps").GetArrayLength());
            var maps = r.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(5, maps.Length); // one fused map per detection
            foreach (var m in maps)
            {
                Assert.Equal("fused", m.GetProperty("layer").GetString());
                var (fused, shape) = NativeCam.Tensors.Npy.Read(Path.Combine(folder, m.GetProperty("raw_file").GetString()!));
                Assert.Equal(new[] { 640, 480 }, shape); // fused at the network input's size
                Assert.All(fused, v => Assert.True(v >= 0 && v <= 1 + 1e-6 && float.IsFinite(v)));
                var parts = m.GetProperty("parts").EnumerateArray().ToArray();
                Assert.Equal(new[] { "model.17", "model.20", "model.23" }, parts.Select(p => p.GetProperty("layer").GetString()));
                foreach (var p in parts) Assert.True(File.Exists(Path.Combine(folder, p.GetProperty("raw_file").GetString()!)));
                var q = m.GetProperty("metrics");
                Assert.True(q.GetProperty("pointing").GetBoolean(), "each default map's maximum is inside its own box");
                Assert.True(q.GetProperty("energy_in_box").GetDouble() is > 0.5 and <= 1);
                Assert.True(q.GetProperty("distinctness").GetDouble() > 0.05);
            }
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void TheOldDefaultIsOneFlagSetAwayAndItsIdenticalMapsAreReportedWithTheirCause()
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("bus.jpg"), "--out", outDir, "--device", "cpu",
                "--method", "gradcam", "--layer", "auto", "--target", "cell");
            Assert.True(run.ExitCode == 0, run.ToString());
            var warning = Assert.Single(run.ErrorLines);
            Assert.Contains("detections 0, 1, 2 have (nearly) identical gradcam maps at auto", warning);
            Assert.Contains("same class, level and anchor", warning);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bus", "report.json")));
            var similar = Assert.Single(doc.RootElement.GetProperty("similar_maps").EnumerateArray());
            Assert.Equal(new[] { 0, 1, 2 }, similar.GetProperty("detections").EnumerateArray().Select(v => v.GetInt32()));
            Assert.All(doc.RootElement.GetProperty("maps").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("metrics").ValueKind));
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void MethodAllGivesAMethodsByDetectionsGridOnASheetOfCappedWidth()
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("zidane.jpg"), "--out", outDir, "--device", "cpu", "--img-size", "320",
                "--method", "all", "--shared-scale");
            Assert.True(run.ExitCode == 0, run.ToString());
            var folder = Path.Combine(outDir, "zidane");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var r = doc.RootElement;
            Assert.Equal(string.Join(",", NativeCam.Cli.CamOptions.AllDetectorMethods), r.GetProperty("method").GetString());
            int detections = r.GetProperty("detections").GetArrayLength();
            Assert.True(detections > 0);
            var maps = r.GetProperty("maps").EnumerateArray().ToArray();
            // Every heat method fused (8), guided-gradcam at each layer feeding Detect (3): for every detection.
            Assert.Equal(detections * (8 + 3), maps.Length);
            foreach (var group in maps.GroupBy(m => m.GetProperty("detection").GetInt32()))
                Assert.Equal(NativeCam.Cli.CamOptions.AllDetectorMethods, group.Select(m => m.GetProperty("method").GetString()!).Distinct());
            Assert.All(maps, m => Assert.True(File.Exists(Path.Combine(folder, m.GetProperty("file").GetString()!))));
            Assert.Equal(maps.Length, maps.Select(m => m.GetProperty("file").GetString()).Distinct().Count()); // the method is in each file name
            var scale = r.GetProperty("shared_scale").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(scale[0] < scale[1]);
            Assert.All(maps.Where(m => m.GetProperty("method").GetString() != "guided-gradcam"),
                m => Assert.True(m.GetProperty("min").GetDouble() >= scale[0] && m.GetProperty("max").GetDouble() <= scale[1]));
            // One row per detection, one column per method and layer: 11 columns squeezed into the 1800-pixel cap.
            var sheet = ImageLoader.Load(Path.Combine(folder, "sheet.jpg"));
            int cell = (1800 - 8 * 12) / 11;
            Assert.InRange(sheet.Width, 11 * cell, 1800);
            Assert.True(sheet.Height > detections * cell * 720 / 1280, $"{sheet.Width}x{sheet.Height} for {detections} rows");
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void AnImageWithoutDetectionsGetsAReportAndASheetOfTheImageAlone()
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("bus.jpg"), "--out", outDir, "--device", "cpu", "--img-size", "320",
                "--classes", "79");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bus", "report.json")));
            Assert.Equal(0, doc.RootElement.GetProperty("detections").GetArrayLength());
            Assert.Equal(0, doc.RootElement.GetProperty("maps").GetArrayLength());
            var sheet = ImageLoader.Load(Path.Combine(outDir, "bus", "sheet.jpg"));
            Assert.True(sheet.Width <= 1800 && sheet.Height < 1080, $"{sheet.Width}x{sheet.Height}"); // the header only
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void BusSampleGivesOneMapPerDetectionAReportAndAContactSheet()
    {
        var outDir = TempDir();
        try
        {
            // The auto layers (each detection at the layer feeding its own level), named explicitly since the default is fuse.
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("bus.jpg"), "--out", outDir, "--dump-maps", "--device", "cpu",
                "--layer", "auto", "--method", "gradcam", "--target", "cell");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches(@"bus\.jpg: 810x1080 4 person, 1 bus — 5 maps in [0-9.]+ s on cpu", run.StdOut);

            var folder = Path.Combine(outDir, "bus");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var r = doc.RootElement;
            foreach (var key in new[] { "image", "input_hw", "ratio", "pad", "device", "detections", "maps", "timings_ms" })
                Assert.True(r.TryGetProperty(key, out _), $"report lacks {key}");
            Assert.Equal(new[] { 640, 480 }, r.GetProperty("input_hw").EnumerateArray().Select(v => v.GetInt32()));
            var detections = r.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(5, detections.Length);
            foreach (var d in detections)
                foreach (var key in new[] { "index", "class_id", "class_name", "confidence", "box_xyxy", "level", "anchor", "cell", "logit" })
                    Assert.True(d.TryGetProperty(key, out _), $"detection lacks {key}");
            foreach (var key in new[] { "decode", "preprocess", "forward", "backward", "cam", "render", "write", "total" })
                Assert.True(r.GetProperty("timings_ms").GetProperty(key).GetDouble() >= 0);

            var maps = r.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(5, maps.Length); // auto: each detection at the layer that feeds its own level
            foreach (var m in maps)
            {
                int k = m.GetProperty("detection").GetInt32();
                int level = detections[k].GetProperty("level").GetInt32();
                Assert.Equal(new[] { "model.17", "model.20", "model.23" }[level], m.GetProperty("layer").GetString());
                Assert.False(m.GetProperty("empty").GetBoolean(), "a detection's own layer must have a non-empty map");
                Assert.True(m.GetProperty("max").GetDouble() > m.GetProperty("min").GetDouble());
                var image = ImageLoader.Load(Path.Combine(folder, m.GetProperty("file").GetString()!));
                Assert.Equal((1080, 810), (image.Height, image.Width));
                var (raw, shape) = NativeCam.Tensors.Npy.Read(Path.Combine(folder, m.GetProperty("raw_file").GetString()!));
                Assert.Equal(2, shape.Length);
                Assert.All(raw, v => Assert.True(v >= 0 && float.IsFinite(v)));
            }
            var sheet = ImageLoader.Load(Path.Combine(folder, "sheet.jpg"));
            Assert.True(sheet.Width is > 810 and <= 1800 && sheet.Height >= 1080, $"sheet {sheet.Width}x{sheet.Height}"); // capped width, a row per detection
            Assert.DoesNotContain(Directory.GetDirectories(outDir), d => Path.GetFileName(d).StartsWith('.'));
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void GuidedGradCamWritesAnInputSpacePicturePerDetectionAtTheOriginalSize()
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("zidane.jpg"), "--out", outDir, "--method", "guided-gradcam",
                "--layer", "auto");
            Assert.True(run.ExitCode == 0, run.ToString());
            var folder = Path.Combine(outDir, "zidane");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var maps = doc.RootElement.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(doc.RootElement.GetProperty("detections").GetArrayLength(), maps.Length);
            foreach (var m in maps)
            {
                Assert.False(m.GetProperty("empty").GetBoolean());
                var image = ImageLoader.Load(Path.Combine(folder, m.GetProperty("file").GetString()!));
                Assert.Equal((720, 1280), (image.Height, image.Width));
                // Guided pictures are grey where the gradient is zero and vary where it is not.
                Assert.True(image.Pixels.Distinct().Count() > 16);
            }
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void AFolderIsProcessedInOrderAndAnUnreadableFileIsSkippedWithExitCodeOne()
    {
        var inDir = TempDir();
        var outDir = TempDir();
        try
        {
            File.Copy(Sample("zidane.jpg"), Path.Combine(inDir, "b.jpg"));
            File.WriteAllText(Path.Combine(inDir, "a.jpg"), "not an image");
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", inDir, "--out", outDir, "--json", "--method", "gradcam++",
                "--layer", "model_17_cv3_act,model.23.cv3.act", "--score", "conf");
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("a.jpg", Assert.Single(run.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal)));
            Assert.Contains(run.ErrorLines, l => l.StartsWith("1 images, 3 detections, 1 failed in ", StringComparison.Ordinal)); // the end summary
            using var doc = JsonDocument.Parse(run.StdOut);
            var report = doc.RootElement.EnumerateArray().Single();
            Assert.Equal("b.jpg", report.GetProperty("image").GetString());
            Assert.Equal("gradcam++", report.GetProperty("method").GetString());
            Assert.Equal("conf", report.GetProperty("score").GetString());
            int detections = report.GetProperty("detections").GetArrayLength();
            var layers = report.GetProperty("maps").EnumerateArray().Select(m => m.GetProperty("layer").GetString()).ToList();
            Assert.Equal(2 * detections, layers.Count);
            Assert.Equal(detections, layers.Count(l => l == "model.17.cv3.act"));
            Assert.True(Directory.Exists(Path.Combine(outDir, "b")));
            Assert.False(Directory.Exists(Path.Combine(outDir, "a")));
        }
        finally
        {
            Directory.Delete(inDir, recursive: true);
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("no such file: missing.jpg", 2, "missing.jpg")]
    [InlineData("no layer named model.99; valid layers include model.0, model.1", 2, "SAMPLE:bus.jpg", "--layer", "model.99")]
    [InlineData("unknown --method 'deconvnet'", 2, "SAMPLE:bus.jpg", "--method", "deconvnet")]
    [InlineData("unknown --score 'prob'", 2, "SAMPLE:bus.jpg", "--score", "prob")]
    [InlineData("unknown option --bogus", 2, "SAMPLE:bus.jpg", "--bogus")]
    public void BadInputIsOneLineAndNothingIsWritten(string message, int exitCode, params string[] args)
    {
        var outDir = TempDir();
        try
        {
            var run = CliProcess.RunIn(Root, Slow, ["detect-cam", .. args.Select(a => a.StartsWith("SAMPLE:") ? Sample(a[7..]) : a), "--out", outDir]);
            Assert.Equal(exitCode, run.ExitCode);
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("error: ", line);
            Assert.Contains(message, line);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void CorruptWeightsAreOneLineAndExitCodeTwo()
    {
        var dir = TempDir();
        try
        {
            var weights = Path.Combine(dir, "broken.pt");
            var bytes = File.ReadAllBytes(Sample("yolov5n.pt"));
            File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
            var run = CliProcess.RunIn(Root, Slow, "detect-cam", Sample("bus.jpg"), "--weights", weights, "--out", Path.Combine(dir, "out"));
            Assert.Equal(2, run.ExitCode);
            Assert.StartsWith("error: ", Assert.Single(run.ErrorLines));
            Assert.False(Directory.Exists(Path.Combine(dir, "out", "bus")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
