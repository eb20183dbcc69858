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

    /// <summary>
    /// Checks every field before anything is built (nc, multiples, ch, anchors, and each layer's module, from, number
    /// and arguments); throws a one-line <see cref="InvalidDataException"/> naming the field and value that is wrong.
    /// </summary>
    public void Validate() => YoloConfigValidator.Check(this);

    public static YoloConfig FromTree(object? tree)
    {
        var map = Map(tree, "yaml");
        var layers = new List<LayerSpec>();
        foreach (var section in new[] { "backbone", "head" })
            foreach (var row in List(Get(map, section), section))
            {
                var r = List(row, $"{section} row");
                if (r.Count != 4) throw new InvalidDataException($"yaml {section} row {layers.Count} has {r.Count} fields, expected 4");
                string at = $"yaml layer {layers.Count}";
                int[] from = r[0] is IList fl ? fl.Cast<object?>().Select(v => Int(v, $"{at} from")).ToArray() : [Int(r[0], $"{at} from")];
                layers.Add(new LayerSpec(layers.Count, from, Int(r[1], $"{at} number"), Str(r[2], $"{at} module"), List(r[3], $"{at} args")));
            }
        var anchors = Get(map, "anchors") switch
        {
            string s => throw new InvalidDataException($"yaml anchors must be a list of pixel (w, h) pairs per level, got '{s}'"),
            IList a => a.Cast<object?>().Select((level, i) => List(level, $"yaml anchors level {i}").Select(v => (float)Number(v, $"yaml anchors level {i} value")).ToArray()).ToArray(),
            // YOLOv5 accepts `anchors: 3` (3 anchors per level, placeholders that autoanchor replaces while training):
            // the real anchors then live only in the Detect buffer, in grid units, which this builder does not read.
            var n and (int or long or double) => throw new InvalidDataException(
                $"yaml anchors: {n} (a count of anchors per level) is not supported: the yaml must list the pixel (w, h) pairs of every level"),
            var other => throw new InvalidDataException($"yaml anchors must be a list of pixel (w, h) pairs per level, got {other ?? "None"}"),
        };
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
        IDictionary d => Keyed(d, what),
        _ => throw new InvalidDataException($"{what} is not a mapping"),
    };

    static Dictionary<string, object?> Keyed(IDictionary d, string what)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in d)
            if (!map.TryAdd(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e.Value))
                throw new InvalidDataException($"{what} has the key '{e.Key}' twice");
        return map;
    }

    static object? Get(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"yaml has no '{key}'");

    internal static IReadOnlyList<object?> List(object? o, string what) => o is IList l && o is not string
        ? l.Cast<object?>().ToList()
        : throw new InvalidDataException($"{what} is not a list");

    internal static double Number(object? o, string what) => o switch
    {
        int i => i, long l => l, double d => d, float f => f, bool b => b ? 1 : 0, System.Numerics.BigInteger b => (double)b,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new InvalidDataException($"{what} is not a number ({Show(o)})"),
    };

    internal static int Int(object? o, string what)
    {
        double d = Number(o, what);
        if (d != Math.Floor(d)) throw new InvalidDataException($"{what} is not an integer ({d})");
        if (d < int.MinValue || d > int.MaxValue) throw new InvalidDataException($"{what} is out of range ({d})");
        return (int)d;
    }

    static string Str(object? o, string what) => o as string ?? throw new InvalidDataException($"{what} is not a string ({Show(o)})");

    /// <summary>A value as it may appear in a one-line error: control characters escaped, long text cut.</summary>
    internal static string Show(object? o)
    {
        string text = o switch
        {
            null => "None",
            string s => s,
            IList l => $"a list of {l.Count}",
            IDictionary d => $"a mapping of {d.Count}",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => o.GetType().Name,
        };
        var clean = string.Concat(text.Take(60).Select(c => char.IsControl(c) ? '?' : c));
        return text.Length > 60 ? clean + "..." : clean;
    }
}
