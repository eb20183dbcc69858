using System.Text.Json;
using NativeCam.Tensors;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>
/// --method fullgrad|integrated-gradients|smoothgrad and the smoothing flags end to end: classify-cam writes one input-sized
/// map per class and method (the layers ignored) and, with --fuse, a fused map beside the layer maps; another --seed moves only
/// the noisy maps;
/// detect-cam on the bundled yolov5n gives a finite, non-empty FullGrad and SmoothGrad map per detection; bad values are one
/// line and exit 2.
/// </summary>
public class GradientMethodCommandTests
{
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
    static string Weights(string name) => Path.Combine(ClassifierFixture.Folder, name + ".pt");

    // Every map record of report.json with its raw .npy.
    static (JsonElement Record, float[] Raw, int[] Shape)[] Maps(string dir)
    {
        var report = Directory.GetFiles(dir, "report.json", SearchOption.AllDirectories).Single();
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        return doc.RootElement.GetProperty("maps").EnumerateArray().Select(m =>
        {
            var raw = m.TryGetProperty("raw", out var r) ? r : m.GetProperty("raw_file");
            var npy = Npy.Read(Path.Combine(Path.GetDirectoryName(report)!, raw.GetString()!));
            return (m.Clone(), npy.Data, npy.Shape);
        }).ToArray();
    }

    static (JsonElement Record, float[] Raw, int[] Shape)[] Classify(string dir, params string[] extra)
    {
        var r = CliProcess.Run(["classify-cam", Bus, "--weights", Weights("vgg_small"), "--top", "2", "--size", "64", "--dump-maps",
            "--out", dir, "--device", "cpu", .. extra]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return Maps(dir);
    }

    [Fact]
    public void Classify_cam_writes_input_maps_and_fused_maps_and_the_seed_moves_only_smoothgrad()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-grad-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] flags = ["--method", "fullgrad,integrated-gradients,smoothgrad,layercam", "--layer", "features.9,features.13", "--fuse", "layercam",
                "--eigen-smooth", "--ig-steps", "4", "--smooth-samples", "3", "--smooth-sigma", "0.2"];
            var first = Classify(Path.Combine(dir, "a"), [.. flags, "--seed", "5"]);
            var other = Classify(Path.Combine(dir, "c"), [.. flags, "--seed", "6"]);
            string Layer(JsonElement record) => record.GetProperty("layer").GetString()!;
            string Method(JsonElement record) => record.GetProperty("method").GetString()!;
            // 2 classes × (3 input methods once, at the input, not per layer; layercam at 2 layers and fused)
            Assert.Equal(12, first.Length);
            Assert.Equal(["features.9", "features.13", "input", "fused"], first.Select(m => Layer(m.Record)).Distinct());
            foreach (var (record, raw, shape) in first)
            {
                Assert.All(raw, v => Assert.True(float.IsFinite(v) && v >= 0));
                Assert.True(raw.Max() > 0, $"{Method(record)} at {Layer(record)}: an empty map");
                if (Layer(record) is "input" or "fused") Assert.Equal([64, 64], shape);
                if (Layer(record) == "fused") Assert.All(raw, v => Assert.True(v <= 1)); // LayerCAM's fusion: a maximum of tanh's
            }
            for (int i = 0; i < first.Length; i++)
            {
                // the noise comes from the seed alone: only the noisy maps (smoothgrad, the tunnelled layercam) move with it
                if (Method(first[i].Record) is "smoothgrad" or "layercam") Assert.NotEqual(first[i].Raw, other[i].Raw);
                else Assert.Equal(first[i].Raw, other[i].Raw);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Detect_cam_gives_a_finite_fullgrad_and_smoothgrad_map_per_detection_on_yolov5n()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-grad-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("detect-cam", Bus, "--weights", Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "yolov5n.pt"),
                "--method", "fullgrad,smoothgrad", "--smooth-samples", "2", "--img-size", "160", "--dump-maps", "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            var maps = Maps(dir);
            var detections = maps.Select(m => m.Record.GetProperty("detection").GetInt32()).Distinct().ToList();
            Assert.NotEmpty(detections);
            foreach (var method in new[] { "fullgrad", "smoothgrad" })
            {
                var mine = maps.Where(m => m.Record.GetProperty("method").GetString() == method).ToList();
                Assert.Equal(detections.Count, mine.Count); // one map per detection, at the input
                foreach (var (record, raw, shape) in mine)
                {
                    Assert.Equal("input", record.GetProperty("layer").GetString());
                    Assert.Equal(2, shape.Length);
                    Assert.All(raw, v => Assert.True(float.IsFinite(v)));
                    Assert.True(raw.Max() > 0, $"{method} detection {record.GetProperty("detection")}: an empty map");
                }
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--ig-steps", "0", "error: --ig-steps must be between 1 and 10000")]
    [InlineData("--smooth-samples", "-1", "error: --smooth-samples must be between 0")]
    [InlineData("--fuse", "median", "error: unknown --fuse 'median' (expected mean or layercam)")]
    [InlineData("--fuse", "mean", "error: --fuse needs two or more --layer paths")]
    public void A_bad_value_is_one_line_and_exit_2(string flag, string value, string message)
    {
        var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights("resnet_basic"), "--method", "smoothgrad", flag, value, "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith(message, r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }
}
