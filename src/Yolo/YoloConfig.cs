using System.Collections;
using System.Globalization;

namespace NativeCam.Yolo;

/// <summary>One row of a YOLOv5 yaml: <c>[from, number, module, args]</c>.</summary>
public sealed record LayerSpec(int Index, int[] From, int Number, string Module, IReadOnlyList<object?> Args);

/// <summary>
/// A YOLOv5 model definition as stored in the checkpoint's <c>yaml</c>: class count, depth and width
/// multiples, pixel anchors per level and the backbone + head layer table. Read from the generic
/// tree (maps, lists, strings, numbers) that the checkpoint reader produces.
/// </summary>
public sealed record YoloConfig
{
    public required int Classes { get; init; }
    public required double DepthMultiple { get; init; }
    public required double WidthMultiple { get; init; }
    public required float[][] Anchors { get; init; }
    public required IReadOnlyList<LayerSpec> Layers { get; init; }
    public int InputChannels { get; init; } = 3;

    public static YoloConfig FromTree(object? tree)
    {
        var map = Map(tree, "yaml");
        var layers = new List<LayerSpec>();
        foreach (var section in new[] { "backbone", "head" })
            foreach (var row in List(Get(map, section), section))
            {
                var r = List(row, $"{section} row");
                if (r.Count != 4) throw new InvalidDataException($"yaml {section} row {layers.Count} has {r.Count} fields, expected 4");
                int[] from = r[0] is IList fl ? fl.Cast<object?>().Select(v => Int(v, "from")).ToArray() : [Int(r[0], "from")];
                int number = Int(r[1], "number");
                if (number < 1) throw new InvalidDataException($"yaml {section} row {layers.Count} repeats its module {number} times (at least 1)");
                layers.Add(new LayerSpec(layers.Count, from, number, Str(r[2], "module"), List(r[3], "args")));
            }
        var anchors = Get(map, "anchors") is IList a
            ? a.Cast<object?>().Select(level => List(level, "anchors").Select(v => (float)Number(v, "anchor")).ToArray()).ToArray()
            : throw new InvalidDataException("yaml anchors must be a list of pixel (w, h) pairs per level");
        return new YoloConfig
        {
            Classes = Int(Get(map, "nc"), "nc"),
            DepthMultiple = Number(Get(map, "depth_multiple"), "depth_multiple"),
            WidthMultiple = Number(Get(map, "width_multiple"), "width_multiple"),
            Anchors = anchors,
            Layers = layers,
            InputChannels = map.TryGetValue("ch", out var ch) && ch != null ? Int(ch, "ch") : 3,
        };
    }

    // ---- reading the generic tree --------------------------------------------------------------

    internal static IReadOnlyDictionary<string, object?> Map(object? o, string what) => o switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        IDictionary d => d.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => d[k]),
        _ => throw new InvalidDataException($"{what} is not a mapping"),
    };

    static object? Get(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"yaml has no '{key}'");

    internal static IReadOnlyList<object?> List(object? o, string what) => o is IList l && o is not string
        ? l.Cast<object?>().ToList()
        : throw new InvalidDataException($"{what} is not a list");

    internal static double Number(object? o, string what) => o switch
    {
        int i => i, long l => l, double d => d, float f => f, bool b => b ? 1 : 0,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new InvalidDataException($"{what} is not a number ({o ?? "None"})"),
    };

    internal static int Int(object? o, string what)
    {
        double d = Number(o, what);
        if (d != Math.Floor(d)) throw new InvalidDataException($"{what} is not an integer ({d})");
        return (int)d;
    }

    static string Str(object? o, string what) => o as string ?? throw new InvalidDataException($"{what} is not a string");
}
