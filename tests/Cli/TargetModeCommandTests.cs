using System.Text.Json;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>
/// detect-cam's --target-mode sum-class and match-box (--boxes), --renormalize, detect-cam --faithfulness and classify-cam --metrics end to
/// end on small inputs: the report says what was done, each map stands for the right detections, renormalised maps span
/// [0, 1], the faithfulness confidence is the detection's own confidence (YOLO) or the class's probability (classifier),
/// curves.png is written; bad values are one line and exit 2.
/// </summary>
public class TargetModeCommandTests
{
    static string Sample(string name) => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", name);

    static JsonElement Run(string dir, params string[] args)
    {
        var r = CliProcess.Run([.. args, "--out", dir, "--device", "cpu", "--json"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement[0].Clone();
    }

    [Fact]
    public void Sum_class_gives_one_renormalised_map_per_class_standing_for_all_its_detections()
    {
        string dir = Directory.CreateTempSubdirectory("nativecam-sumclass-").FullName;
        try
        {
            var report = Run(dir, "detect-cam", Sample("bus.jpg"), "--img-size", "320", "--target-mode", "sum-class", "--renormalize");
            Assert.Equal("sum-class", report.GetProperty("target_mode").GetString());
            Assert.True(report.GetProperty("renormalize").GetBoolean());
            var detections = report.GetProperty("detections").EnumerateArray().ToArray();
            var maps = report.GetProperty("maps").EnumerateArray().ToArray();
            var classes = detections.Select(d => d.GetProperty("class_id").GetInt32()).Distinct().ToArray();
            Assert.True(classes.Length >= 2 && detections.Length > classes.Length, "bus.jpg at 320 should have several people and a bus");
            Assert.Equal(classes.Length, maps.Length);
            var covered = new List<int>();
            foreach (var m in maps)
            {
                var members = m.GetProperty("detections").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                Assert.Equal(members[0], m.GetProperty("detection").GetInt32());
                Assert.Single(members.Select(i => detections[i].GetProperty("class_id").GetInt32()).Distinct());
                covered.AddRange(members);
                Assert.Equal(0, m.GetProperty("min").GetDouble()); // zero outside the boxes
                Assert.InRange(m.GetProperty("max").GetDouble(), 0.99, 1.0); // normalised inside them
                Assert.True(File.Exists(Path.Combine(dir, "bus", m.GetProperty("file").GetString()!)));
            }
            Assert.Equal(Enumerable.Range(0, detections.Length), covered.Order());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Detect_cam_faithfulness_rereads_the_detections_own_confidence()
    {
        string dir = Directory.CreateTempSubdirectory("nativecam-faith-").FullName;
        try
        {
            var report = Run(dir, "detect-cam", Sample("zidane.jpg"), "--img-size", "128", "--layer", "model.17", "--conf", "0.2", "--max-det", "1", "--faithfulness");
            var detection = report.GetProperty("detections")[0];
            var f = report.GetProperty("maps")[0].GetProperty("faithfulness");
            Assert.Equal(detection.GetProperty("confidence").GetDouble(), f.GetProperty("confidence").GetDouble(), 5);
            Assert.Equal(17, f.GetProperty("deletion_curve").GetArrayLength());
            Assert.Equal(4, f.GetProperty("road_most_relevant_first").GetArrayLength());
            Assert.Equal("curves.png", report.GetProperty("curves").GetString());
            Assert.True(File.Exists(Path.Combine(dir, "zidane", "curves.png")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Classify_cam_metrics_use_the_class_probability_as_confidence()
    {
        string dir = Directory.CreateTempSubdirectory("nativecam-clsfaith-").FullName;
        try
        {
            var report = Run(dir, "classify-cam", Sample("bus.jpg"), "--weights", Path.Combine(ClassifierFixture.Folder, "resnet_basic.pt"),
                "--size", "64", "--top", "2", "--method", "gradcam,layercam", "--metrics");
            var explained = report.GetProperty("explained").EnumerateArray().ToDictionary(e => e.GetProperty("class_id").GetInt32(), e => e.GetProperty("probability").GetDouble());
            var maps = report.GetProperty("maps").EnumerateArray().ToArray();
            Assert.Equal(4, maps.Length);
            foreach (var m in maps)
            {
                var f = m.GetProperty("faithfulness");
                Assert.Equal(explained[m.GetProperty("class_id").GetInt32()], f.GetProperty("confidence").GetDouble(), 5);
                double combined = f.GetProperty("road_combined").GetDouble();
                var morf = f.GetProperty("road_most_relevant_first").EnumerateArray().Select(e => e.GetDouble()).Average();
                var lerf = f.GetProperty("road_least_relevant_first").EnumerateArray().Select(e => e.GetDouble()).Average();
                Assert.Equal((lerf - morf) / 2, combined, 5);
            }
            Assert.True(File.Exists(Path.Combine(dir, "bus", "curves.png")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Match_box_gives_one_map_for_the_matched_reference_boxes()
    {
        string dir = Directory.CreateTempSubdirectory("nativecam-matchbox-").FullName;
        try
        {
            var own = Run(Path.Combine(dir, "own"), "detect-cam", Sample("bus.jpg"), "--img-size", "320", "--target-mode", "match-box", "--score", "conf");
            int n = own.GetProperty("detections").GetArrayLength();
            var map = Assert.Single(own.GetProperty("maps").EnumerateArray());
            Assert.Equal(Enumerable.Range(0, n), map.GetProperty("detections").EnumerateArray().Select(e => e.GetInt32()));
            Assert.True(map.GetProperty("max").GetDouble() > 0);
            // One reference: detection 1's box nudged, with its class; and one of another class that matches nothing.
            var d1 = own.GetProperty("detections")[1];
            var b = d1.GetProperty("box_xyxy").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            string boxes = Path.Combine(dir, "boxes.json");
            File.WriteAllText(boxes, FormattableString.Invariant($"[{{\"box\": [{b[0] + 3}, {b[1] - 2}, {b[2]}, {b[3] + 4}], \"class\": {d1.GetProperty("class_id").GetInt32()}}},") +
                " {\"box\": [0, 0, 5, 5], \"class\": 0}]");
            var given = Run(Path.Combine(dir, "given"), "detect-cam", Sample("bus.jpg"), "--img-size", "320", "--target-mode", "match-box", "--boxes", boxes);
            Assert.Equal([1], Assert.Single(given.GetProperty("maps").EnumerateArray()).GetProperty("detections").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal("match-box", given.GetProperty("target_mode").GetString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Metrics_faithfulness_adds_the_means_per_row_and_only_when_asked()
    {
        string[] args = ["metrics", Sample("zidane.jpg"), "--methods", "layercam", "--layers", "model.17", "--scores", "conf", "--regions", "box",
            "--img-size", "160", "--device", "cpu", "--json"];
        var with = CliProcess.Run([.. args, "--faithfulness"]);
        Assert.True(with.ExitCode == 0, with.StdErr);
        using var doc = JsonDocument.Parse(with.StdOut);
        var f = Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("faithfulness");
        Assert.InRange(f.GetProperty("insertion_auc").GetDouble(), 0, 1);
        Assert.InRange(f.GetProperty("deletion_auc").GetDouble(), 0, 1);
        Assert.InRange(f.GetProperty("road_combined").GetDouble(), -1, 1);
        Assert.InRange(f.GetProperty("average_drop_percent").GetDouble(), 0, 100);
        var without = CliProcess.Run(args);
        Assert.True(without.ExitCode == 0, without.StdErr);
        using var plain = JsonDocument.Parse(without.StdOut);
        Assert.False(plain.RootElement[0].TryGetProperty("faithfulness", out _));
    }

    [Fact]
    public void Bad_boxes_are_one_line_and_exit_2()
    {
        string dir = Directory.CreateTempSubdirectory("nativecam-badboxes-").FullName;
        try
        {
            string bad = Path.Combine(dir, "bad.json");
            File.WriteAllText(bad, "[{\"box\": [10, 10, 5, 20], \"class\": 0}]");
            foreach (var (args, message) in new[]
            {
                (new[] { "--boxes", bad }, "error: --boxes needs --target-mode match-box"),
                (new[] { "--target-mode", "match-box", "--boxes", bad }, "error: --boxes " + bad + ": a box must be"),
                (new[] { "--target-mode", "match-box", "--boxes", Path.Combine(dir, "missing.json") }, "error: no such file"),
                (new[] { "--target-mode", "match-box", "--method", "scorecam" }, "error: --target-mode match-box with --method scorecam: not available yet"),
            })
            {
                var r = CliProcess.Run(["detect-cam", Sample("bus.jpg"), .. args, "--device", "cpu", "--out", dir]);
                Assert.True(r.ExitCode == 2, r.StdErr);
                Assert.StartsWith(message, r.StdErr);
                Assert.Single(r.StdErr.Trim().Split('\n'));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("--target-mode", "per-class", "error: unknown --target-mode 'per-class'")]
    public void Bad_values_are_one_line_and_exit_2(string flag, string value, string message)
    {
        var r = CliProcess.Run("detect-cam", Sample("bus.jpg"), flag, value, "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith(message, r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }
}
