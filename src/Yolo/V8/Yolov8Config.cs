using System.Collections;

namespace NativeCam.Yolo;

/// <summary>
/// The yaml an Ultralytics DetectionModel carries: nc, the layer table, and either a <c>scales</c> table with the
/// chosen <c>scale</c> ([depth, width, max_channels] per scale letter) or plain depth/width multiples.
/// </summary>
public sealed record Yolov8Config
{
    public required int Classes { get; init; }
    public required double Depth { get; init; }
    public required double Width { get; init; }
    public required double MaxChannels { get; init; }
    public required IReadOnlyList<LayerSpec> Layers { get; init; }
    public int InputChannels { get; init; } = 3;
    /// <summary>The scale letter chosen from <c>scales</c> ("" without one); n/s/m/l/x in the official yamls.</summary>
    public string Scale { get; init; } = "";

    /// <summary>Reads the yaml tree; every malformed field is one <see cref="InvalidDataException"/> line.</summary>
    public static Yolov8Config FromTree(object? tree)
    {
        var map = YoloConfig.Map(tree, "yaml");
        var layers = new List<LayerSpec>();
        foreach (var section in new[] { "backbone", "head" })
            foreach (var row in YoloConfig.List(map.GetValueOrDefault(section), $"yaml {section}"))
            {
                var r = YoloConfig.List(row, $"{section} row");
                if (r.Count != 4) throw new InvalidDataException($"yaml {section} row {layers.Count} has {r.Count} fields, expected 4");
                string at = $"yaml layer {layers.Count}";
                int[] from = r[0] is IList fl ? fl.Cast<object?>().Select(v => YoloConfig.Int(v, $"{at} from")).ToArray() : [YoloConfig.Int(r[0], $"{at} from")];
                layers.Add(new LayerSpec(layers.Count, from, YoloConfig.Int(r[1], $"{at} number"),
                    r[2] as string ?? throw new InvalidDataException($"{at} module is not a string"), YoloConfig.List(r[3], $"{at} args")));
            }
        if (layers.Count is 0 or > 1000) throw new InvalidDataException($"yaml has {layers.Count} layers (expected 1 to 1000)");
        double depth = Get(map, "depth_multiple", 1.0), width = Get(map, "width_multiple", 1.0), max = double.PositiveInfinity;
        string chosen = "";
        if (map.GetValueOrDefault("scales") is { } scalesTree)
        {
            var scales = YoloConfig.Map(scalesTree, "yaml scales");
            string scale = map.GetValueOrDefault("scale") as string is { Length: > 0 } s ? s
                : scales.Keys.FirstOrDefault() ?? throw new InvalidDataException("yaml scales is empty");
            var v = YoloConfig.List(scales.GetValueOrDefault(scale) ?? throw new InvalidDataException($"yaml scale '{scale}' is not in scales ({string.Join(", ", scales.Keys)})"), $"yaml scales.{scale}");
            if (v.Count != 3) throw new InvalidDataException($"yaml scales.{scale} has {v.Count} values, expected [depth, width, max_channels]");
            chosen = scale;
            (depth, width, max) = (YoloConfig.Number(v[0], $"scales.{scale} depth"), YoloConfig.Number(v[1], $"scales.{scale} width"), YoloConfig.Number(v[2], $"scales.{scale} max_channels"));
        }
        if (!(depth is > 0 and <= 10) || !(width is > 0 and <= 10) || !(max >= 1))
            throw new InvalidDataException($"yaml depth {depth}, width {width}, max_channels {max}: out of range");
        int nc = YoloConfig.Int(map.GetValueOrDefault("nc"), "nc");
        if (nc is < 1 or > 100000) throw new InvalidDataException($"yaml nc {nc} is out of range (1 to 100000)");
        return new Yolov8Config
        {
            Classes = nc, Depth = depth, Width = width, MaxChannels = max, Layers = layers, Scale = chosen,
            InputChannels = map.GetValueOrDefault("ch") is { } ch ? YoloConfig.Int(ch, "ch") : 3,
        };
    }

    static double Get(IReadOnlyDictionary<string, object?> map, string key, double fallback) =>
        map.GetValueOrDefault(key) is { } v ? YoloConfig.Number(v, $"yaml {key}") : fallback;
}
