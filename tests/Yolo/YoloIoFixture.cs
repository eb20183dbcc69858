using System.Text.Json;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// tests/fixtures/yolo_io/yolo_io.json (written by tests/reference/yolo_io_reference.py with OpenCV,
/// PyTorch and torchvision) and the images and arrays next to it.
/// </summary>
public static class YoloIoFixture
{
    static readonly Lazy<JsonElement> _root = new(() =>
    {
        var path = File("yolo_io.json");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"fixture {path} is missing: run tests/reference/yolo_io_reference.py");
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.Clone();
    });

    public static string Folder => Path.Combine(Fixtures.Folder, "yolo_io");

    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>The entries of one section ("letterbox", "exif", "decode", "nms").</summary>
    public static IEnumerable<JsonElement> Section(string name) => _root.Value.GetProperty(name).EnumerateArray();

    /// <summary>The entry of a section whose <paramref name="key"/> equals <paramref name="value"/>.</summary>
    public static JsonElement Entry(string section, string key, string value) =>
        Section(section).Single(e => e.GetProperty(key).GetString() == value);

    /// <summary>Values of a key over a section, for xunit's MemberData.</summary>
    public static IEnumerable<object[]> Keys(string section, string key) =>
        Section(section).Select(e => new object[] { e.GetProperty(key).GetString()! });

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();
    public static double Double(this JsonElement e, string name) => e.GetProperty(name).GetDouble();
    public static string? Str(this JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();
}
