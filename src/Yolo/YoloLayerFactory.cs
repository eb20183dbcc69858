using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// Turns one yaml row into a layer, following YOLOv5's <c>parse_model</c>: output widths scale by
/// width_multiple rounded up to a multiple of 8, repeat counts by depth_multiple (Python rounding), and
/// CSP blocks take the repeat count as their inner depth. A module name it does not know stops the build
/// with the layer index, never a wrong network.
/// </summary>
static class YoloLayerFactory
{
    static readonly HashSet<string> Csp = ["C3", "C3x", "C3Ghost", "BottleneckCSP"];
    static readonly HashSet<string> Scaled = ["Conv", "DWConv", "GhostConv", "Bottleneck", "GhostBottleneck", "SPP", "SPPF",
        "Focus", "CrossConv", "BottleneckCSP", "C3", "C3x", "C3Ghost", "DWConvTranspose2d"];

    /// <summary>The module name without PyTorch's <c>nn.</c> prefix (<c>nn.Upsample</c> → <c>Upsample</c>).</summary>
    public static string TypeOf(string module) => module.StartsWith("nn.", StringComparison.Ordinal) ? module[3..] : module;

    /// <summary>Modules whose first argument is an output width scaled by width_multiple.</summary>
    public static bool IsScaled(string type) => Scaled.Contains(type);

    /// <summary>CSP blocks: the repeat count is their inner depth rather than a stack of copies.</summary>
    public static bool IsCsp(string type) => Csp.Contains(type);

    /// <summary>Every module this builder can make.</summary>
    public static bool Supports(string type) => Scaled.Contains(type) || type is "Concat" or "Upsample" or "Detect";

    /// <summary>The repeat count after depth_multiple, as parse_model computes it (Python rounds half to even).</summary>
    public static int Repeats(int number, double depthMultiple) =>
        number > 1 ? Math.Max((int)Math.Round(number * depthMultiple, MidpointRounding.ToEven), 1) : number;

    /// <summary>The output width after width_multiple (up to a multiple of 8), except for a Detect-sized width; 0 when out of range.</summary>
    public static long ScaledWidth(long channels, YoloConfig cfg)
    {
        long no = cfg.Anchors[0].Length / 2 * ((long)cfg.Classes + 5);
        if (channels == no) return channels;
        double scaled = Math.Ceiling(channels * cfg.WidthMultiple / 8) * 8;
        return scaled > long.MaxValue / 2 ? 0 : (long)scaled;
    }

    public static YoloLayer Create(BuildContext ctx, YoloConfig cfg, LayerSpec spec, IReadOnlyList<int> channels)
    {
        string path = $"model.{spec.Index}";
        string type = TypeOf(spec.Module);
        int In(int f)
        {
            int i = f < 0 ? channels.Count + f : f;
            if (channels.Count == 0 && f == -1) return cfg.InputChannels;
            if (i < 0 || i >= channels.Count) throw new InvalidDataException($"{path}: input from layer {f} does not exist");
            return channels[i];
        }
        int n = Repeats(spec.Number, cfg.DepthMultiple);
        var args = spec.Args;

        if (Scaled.Contains(type))
        {
            int c1 = In(spec.From[0]);
            int c2 = YoloConfig.Int(args[0], $"{path} channels");
            c2 = checked((int)ScaledWidth(c2, cfg));
            var rest = args.Skip(1).ToArray();
            if (Csp.Contains(type)) return new YoloLayer(spec.Index, spec.From, type, c2, Block(ctx, path, type, c1, c2, n, rest));
            if (n == 1) return new YoloLayer(spec.Index, spec.From, type, c2, Block(ctx, path, type, c1, c2, 1, rest));
            var repeats = Enumerable.Range(0, n).Select(j => Block(ctx, $"{path}.{j}", type, j == 0 ? c1 : c2, c2, 1, rest)).ToArray();
            return new YoloLayer(spec.Index, spec.From, type, c2, new Sequence(path, repeats));
        }
        switch (type)
        {
            case "Concat":
                int dim = args.Count > 0 ? YoloConfig.Int(args[0], $"{path} dimension") : 1;
                if (dim != 1) throw new InvalidDataException($"layer {spec.Index}: Concat along dimension {dim} is not supported (only channels, 1)");
                return new YoloLayer(spec.Index, spec.From, type, spec.From.Sum(In), null);
            case "Upsample":
                int scale = YoloConfig.Int(args.Count > 1 ? args[1] : null, $"{path} scale factor");
                var mode = args.Count > 2 ? args[2] as string : "nearest";
                if (mode != "nearest") throw new InvalidDataException($"layer {spec.Index}: Upsample mode '{args[2] ?? "None"}' is not supported (only 'nearest')");
                return new YoloLayer(spec.Index, spec.From, type, In(spec.From[0]), new Upsample(path, scale));
            case "Detect":
                var chs = spec.From.Select(In).ToArray();
                var detect = new Detect(ctx, path, cfg.Classes, cfg.Anchors, chs);
                return new YoloLayer(spec.Index, spec.From, type, 0, detect);
            default:
                throw new InvalidDataException($"layer {spec.Index}: module '{spec.Module}' is not supported");
        }
    }

    static Module Block(BuildContext ctx, string path, string type, int c1, int c2, int n, object?[] a)
    {
        object? A(int i) => i < a.Length ? a[i] : null;
        int I(int i, int fallback) => A(i) is null or "None" ? fallback : YoloConfig.Int(A(i), $"{path} argument {i + 3}");
        int? P(int i) => A(i) is null or "None" ? null : YoloConfig.Int(A(i), $"{path} padding");
        bool B(int i, bool fallback) => A(i) switch { null => fallback, bool b => b, _ => YoloConfig.Number(A(i), path) != 0 };
        double E(int i, double fallback) => A(i) is null ? fallback : YoloConfig.Number(A(i), $"{path} expansion");
        return type switch
        {
            "Conv" => new ConvBlock(ctx, path, c1, c2, I(0, 1), I(1, 1), P(2), I(3, 1), B(4, true)),
            "DWConv" => new ConvBlock(ctx, path, c1, c2, I(0, 1), I(1, 1), null, GhostBottleneck.Gcd(c1, c2), B(2, true)),
            "GhostConv" => new GhostConv(ctx, path, c1, c2, I(0, 1), I(1, 1), I(2, 1), B(3, true)),
            "Bottleneck" => new Bottleneck(ctx, path, c1, c2, B(0, true), I(1, 1), E(2, 0.5)),
            "GhostBottleneck" => new GhostBottleneck(ctx, path, c1, c2, I(0, 3), I(1, 1)),
            "SPPF" => Sppf.Fast(ctx, path, c1, c2, I(0, 5)),
            "SPP" => Sppf.Pyramid(ctx, path, c1, c2, A(0) is null ? [5, 9, 13] : YoloConfig.List(A(0), path).Select(v => YoloConfig.Int(v, path)).ToArray()),
            "Focus" => new Focus(ctx, path, c1, c2, I(0, 1), I(1, 1), P(2), I(3, 1), B(4, true)),
            "CrossConv" => new CrossConv(ctx, path, c1, c2, I(0, 3), I(1, 1), I(2, 1), E(3, 1.0), B(4, false)),
            "C3" => new C3(ctx, path, c1, c2, n, B(0, true), I(1, 1), E(2, 0.5)),
            "C3x" => new C3(ctx, path, c1, c2, n, B(0, true), I(1, 1), E(2, 0.5), C3.Inner.CrossConv),
            "C3Ghost" => new C3(ctx, path, c1, c2, n, B(0, true), I(1, 1), E(2, 0.5), C3.Inner.Ghost),
            "BottleneckCSP" => new BottleneckCsp(ctx, path, c1, c2, n, B(0, true), I(1, 1), E(2, 0.5)),
            "DWConvTranspose2d" => new DwConvTranspose(ctx, path, c1, c2, I(0, 1), I(1, 1), I(2, 0), I(3, 0)),
            _ => throw new InvalidDataException($"{path}: module '{type}' is not supported"),
        };
    }
}

/// <summary>nn.Sequential of repeated blocks (a yaml row with number > 1 of a non-CSP module).</summary>
sealed class Sequence : Module
{
    readonly Module[] _blocks;

    public Sequence(string path, Module[] blocks) : base(path) => _blocks = blocks.Select(Child).ToArray();

    public override NativeCam.Autograd.Var Forward(NativeCam.Autograd.Var x)
    {
        foreach (var b in _blocks) x = b.Forward(x);
        return Output(x);
    }
}
