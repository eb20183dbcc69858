using NativeCam.Layers;
using NativeCam.Weights;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>Damaged YOLOv8 files and yamls: one-line errors naming the problem, never a wrong network or a crash.</summary>
public class Yolov8HostileTests
{
    static string Weights => Path.Combine(Fixtures.Folder, "yolov8", "yolov8t.pt");

    static List<object?> Row(object from, int n, string module, params object?[] args) => [from, (long)n, module, args.ToList()];

    static Dictionary<string, object?> Yaml(params List<object?>[] rows) => new()
    {
        ["nc"] = 2L,
        ["scales"] = new Dictionary<string, object?> { ["n"] = new List<object?> { 0.33, 0.25, 1024L } },
        ["scale"] = "n",
        ["backbone"] = rows.ToList<object?>(),
        ["head"] = new List<object?>(),
    };

    static string BuildError(Dictionary<string, object?> yaml)
    {
        var e = Assert.ThrowsAny<InvalidDataException>(() =>
            Yolov8Model.Build(TestDevice.Default, Yolov8Config.FromTree(yaml), new StateDict([]), new Dictionary<string, ModuleInfo>(), []));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void UnknownModuleIsNamed() =>
        Assert.Equal("layer 0: module 'A2C2f' is not supported", BuildError(Yaml(Row(-1L, 1, "A2C2f", 64L, false, -1L))));

    [Fact]
    public void BadYamlsAreOneLineErrors()
    {
        var noScale = Yaml(Row(-1L, 1, "Conv", 64L, 3L, 2L));
        noScale["scale"] = "q";
        Assert.Contains("scale 'q' is not in scales", BuildError(noScale));
        var badNc = Yaml(Row(-1L, 1, "Conv", 64L, 3L, 2L));
        badNc["nc"] = -3L;
        Assert.Contains("nc -3", BuildError(badNc));
        Assert.Contains("has 3 fields", BuildError(Yaml([-1L, 1L, "Conv"])));
        Assert.Contains("input from layer 5 does not exist", BuildError(Yaml(Row(5L, 1, "Conv", 8L, 3L, 2L))));
        Assert.Contains("not a mapping", Assert.Throws<InvalidDataException>(() => Yolov8Config.FromTree("yaml")).Message);
        Assert.Contains("not a list", Assert.Throws<InvalidDataException>(() => Yolov8Config.FromTree(new Dictionary<string, object?> { ["nc"] = 1L })).Message);
    }

    [Fact]
    public void C2psaWidthsAreChecked() =>
        Assert.Contains("C2PSA needs equal input and output widths", BuildError(Yaml(Row(-1L, 1, "C2PSA", 64L))));

    [Fact]
    public void ANetworkWithoutItsWeightsIsRefused() =>
        Assert.Contains("model.0", BuildError(Yaml(Row(-1L, 1, "Conv", 64L, 3L, 2L))));

    [Theory]
    [InlineData(1000)]
    [InlineData(500_000)]
    [InlineData(1_900_000)]
    public void TruncatedFilesGiveOneLine(int length)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nativecam-v8-trunc-{length}.pt");
        File.WriteAllBytes(path, File.ReadAllBytes(Weights)[..length]);
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => Yolov8Detector.Load(TestDevice.Default, path));
            Assert.True(e is WeightFormatException or InvalidDataException, e.ToString());
            Assert.DoesNotContain('\n', e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AYolov5FileIsNotTakenForYolov8()
    {
        var e = Assert.Throws<InvalidDataException>(() => Yolov8Detector.Load(TestDevice.Default, YoloFixture.Weights));
        Assert.Contains("not an Ultralytics YOLOv8 checkpoint", e.Message);
    }
}
