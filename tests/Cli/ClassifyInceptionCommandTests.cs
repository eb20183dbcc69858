using System.Text.Json;
using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>classify and classify-cam with Inception v3 and GoogLeNet: Inception v3's 342/299 preprocessing (and
/// --size overriding it), the default layers, --transform-input, and its one-line errors.</summary>
public class ClassifyInceptionCommandTests
{
    static string Bus => Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg");
    static string Weights(string name) => Path.Combine(ClassifierFixture.Folder, name + ".pt");

    static JsonElement Classify(params string[] args)
    {
        var r = CliProcess.Run(["classify", Bus, "--top", "5", "--json", "--device", "cpu", .. args]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.EnumerateArray().Single().Clone();
    }

    static int[] InputHw(JsonElement report) => report.GetProperty("input_hw").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    static double[] Logits(JsonElement report) =>
        report.GetProperty("top").EnumerateArray().OrderBy(t => t.GetProperty("class_id").GetInt32()).Select(t => t.GetProperty("logit").GetDouble()).ToArray();

    [Fact]
    public void Inception_v3_reads_299_pixels_unless_size_is_given_and_transform_input_can_be_turned_off()
    {
        var report = Classify("--weights", Weights("inception_v3_small"));
        Assert.Equal([299, 299], InputHw(report));
        Assert.Equal("inception_v3 (custom)", report.GetProperty("arch").GetString());
        Assert.Equal([224, 224], InputHw(Classify("--weights", Weights("inception_v3_small"), "--size", "224")));
        Assert.Equal([299, 299], InputHw(Classify("--weights", Weights("inception_v3_small"), "--resize", "320"))); // the crop stays the family's
        Assert.Equal([456, 342], InputHw(Classify("--weights", Weights("inception_v3_small"), "--no-crop"))); // bus.jpg: 810 wide, 1080 high
        var off = Classify("--weights", Weights("inception_v3_small"), "--transform-input", "off");
        Assert.Equal([299, 299], InputHw(off));
        Assert.NotEqual(Logits(report), Logits(off));
        Assert.Equal([224, 224], InputHw(Classify("--weights", Weights("googlenet_small"))));
    }

    [Theory]
    [InlineData("googlenet_small", "inception5b")]
    [InlineData("inception_v3_small", "Mixed_7c")]
    public void Classify_cam_explains_the_default_layer(string name, string layer)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-inc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights(name), "--top", "2", "--out", dir, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bus", "report.json")));
            var maps = doc.RootElement.GetProperty("maps").EnumerateArray().ToList();
            Assert.Equal(2, maps.Count);
            Assert.All(maps, m => Assert.Equal(layer, m.GetProperty("layer").GetString()));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("classify-cam")]
    public void A_too_small_tensor_is_one_line_and_exit_1(string command)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-inc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string npy = Path.Combine(dir, "small.npy");
            NativeCam.Tensors.Npy.Write(npy, new float[3 * 60 * 80], [1, 3, 60, 80]);
            string[] args = [command, "--tensor", npy, "--weights", Weights("inception_v3_small"), "--device", "cpu"];
            var r = CliProcess.Run(command == "classify" ? args : [.. args, "--out", Path.Combine(dir, "out")]);
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("error: small.npy: Inception3: input 60x80 is smaller than its 75x75 minimum", r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("resnet_basic", "--transform-input", "on", "inception_v3 and googlenet only")]
    [InlineData("googlenet_small", "--transform-input", "maybe", "must be on or off")]
    [InlineData("googlenet_small", "--arch", "inception_v3", "not inception_v3")]
    [InlineData("inception_v3_small", "--layer", "Mixed_7c.branch1x1.conv", "watch Mixed_7c.branch1x1.bn")]
    public void Bad_input_is_one_line_and_exit_2(string name, string option, string value, string message)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativecam-inc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliProcess.Run("classify-cam", Bus, "--weights", Weights(name), option, value, "--out", dir, "--device", "cpu");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("error: ", r.StdErr);
            Assert.Contains(message, r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
