using System.Text.Json;
using NativeCam.Tensors;

namespace NativeCam.Tests.Yolo;

/// <summary>The yolov5n fixtures written by tests/reference/yolov5_reference.py.</summary>
public static class YoloFixture
{
    public static string Folder => Path.Combine(Fixtures.Folder, "yolo");

    public static (float[] Data, int[] Shape) Array(string name) => Npy.Read(Path.Combine(Folder, name + ".npy"));

    public static JsonElement Meta()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "yolov5n.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The bundled official checkpoint (samples/yolov5n.pt), found from the test folder upwards.</summary>
    public static string Weights => Path.Combine(RepoRoot(), "samples", "yolov5n.pt");

    public static string RepoRoot() => NativeCam.Tests.Weights.TestPaths.RepoRoot;
}
