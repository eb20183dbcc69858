using System.Collections;

namespace NativeCam.Yolo;

/// <summary>
/// The argument rules of each module a yaml row may name, read the way <see cref="YoloLayerFactory"/> reads
/// them: count and type of every argument, kernels, strides, paddings and groups small and positive, and
/// every width the block derives (after width_multiple and the expansion ratio) at least 1 and at most
/// <see cref="MaxChannels"/>. Returns the row's output width and a lower bound on its parameter count.
/// </summary>
static class YoloLayerArgs
{
    public const int MaxChannels = 65536;
    public const int MaxKernel = 32;

    public static (int Width, double Parameters) Check(YoloConfig cfg, LayerSpec spec, string type, int[] inputs, int n)
    {
        var a = new Reader(spec, type);
        int c1 = inputs[0];
        switch (type)
        {
            case "Concat":
                a.Count(0, 1);
                int dim = a.Int(0, "dimension", 1, int.MinValue, int.MaxValue);
                if (dim != 1) throw new InvalidDataException($"layer {spec.Index}: Concat along dimension {dim} is not supported (only channels, 1)");
                return (Width(spec, type, "from", inputs.Sum(c => (long)c)), 0);
            case "Upsample":
                a.Count(2, 3);
                if (a[0] is not (null or "None")) a.Fail(0, "size", "must be None (only scale_factor is supported)");
                a.Int(1, "scale_factor", null, 1, MaxKernel);
                if (a.Has(2) && a[2] as string != "nearest")
                    throw new InvalidDataException($"layer {spec.Index}: Upsample mode '{YoloConfig.Show(a[2])}' is not supported (only 'nearest')");
                return (c1, 0);
            case "Detect":
                return (0, Detect(cfg, spec, a, inputs));
        }

        // Modules with an output width: args[0] is scaled by width_multiple.
        a.Count(1, type switch
        {
            "Conv" or "Focus" or "CrossConv" => 6,
            "GhostConv" or "DWConvTranspose2d" => 5,
            "DWConv" or "Bottleneck" or "C3" or "C3x" or "C3Ghost" or "BottleneckCSP" => 4,
            "GhostBottleneck" => 3,
            _ => 2, // SPP, SPPF
        });
        int raw = a.Int(0, "channels", null, 1, int.MaxValue);
        long scaled = YoloLayerFactory.ScaledWidth(raw, cfg);
        if (scaled is < 1 or > MaxChannels)
            throw new InvalidDataException($"layer {spec.Index}: {type} args[0] (channels) {raw} × width_multiple {cfg.WidthMultiple} gives {scaled} channels, outside 1 to {MaxChannels}");
        int c2 = (int)scaled;
        double first = Block(spec, type, a, c1, c2, YoloLayerFactory.IsCsp(type) ? n : 1);
        // Non-CSP rows repeat the block n times, c2 → c2 after the first.
        double rest = YoloLayerFactory.IsCsp(type) || n == 1 ? 0 : (n - 1) * Block(spec, type, a, c2, c2, 1);
        return (c2, first + rest);
    }

    /// <summary>Checks one block's arguments and returns a lower bound on its parameters (its main convs).</summary>
    static double Block(LayerSpec spec, string type, Reader a, int c1, int c2, int n)
    {
        switch (type)
        {
            case "Conv" or "Focus":
            {
                int cin = type == "Focus" ? 4 * c1 : c1;
                int k = a.Int(1, "kernel", 1, 1, MaxKernel);
                a.Int(2, "stride", 1, 1, MaxKernel);
                a.Int(3, "padding", 0, 0, MaxKernel);
                int g = Groups(a, 4, cin, c2);
                a.Bool(5, "act");
                return (double)cin * c2 / g * k * k;
            }
            case "DWConv":
            {
                int k = a.Int(1, "kernel", 1, 1, MaxKernel);
                a.Int(2, "stride", 1, 1, MaxKernel);
                a.Bool(3, "act");
                return (double)c1 * c2 / GhostBottleneck.Gcd(c1, c2) * k * k;
            }
            case "GhostConv":
            {
                int k = a.Int(1, "kernel", 1, 1, MaxKernel);
                a.Int(2, "stride", 1, 1, MaxKernel);
                Inner(spec, type, c2 / 2, $"half of {c2} channels");
                int g = Groups(a, 3, c1, c2 / 2);
                a.Bool(4, "act");
                return (double)c1 * (c2 / 2) / g * k * k;
            }
            case "Bottleneck":
            {
                a.Bool(1, "shortcut");
                int c = Inner(spec, type, (long)(c2 * a.Fraction(3, "expansion", 0.5)), "channels × expansion");
                int g = Groups(a, 2, c, c2);
                return (double)c1 * c + (double)c * c2 / g * 9;
            }
            case "GhostBottleneck":
            {
                a.Int(1, "kernel", 3, 1, MaxKernel);
                int s = a.Int(2, "stride", 1, 1, MaxKernel);
                Inner(spec, type, c2 / 4, $"a quarter of {c2} channels");
                if (s != 2 && c1 != c2)
                    throw new InvalidDataException($"layer {spec.Index}: GhostBottleneck with stride {s} adds its input, so its {c1} input channels must equal its {c2} output channels");
                return (double)c1 * (c2 / 4);
            }
            case "SPPF" or "SPP":
            {
                Inner(spec, type, c1 / 2, $"half of {c1} input channels");
                int pools = type == "SPPF" ? 3 : Pools(spec, a);
                if (type == "SPPF") OddKernel(spec, type, a.Int(1, "kernel", 5, 1, MaxKernel), 1);
                return (double)c1 * (c1 / 2) + (double)(c1 / 2) * (pools + 1) * c2;
            }
            case "CrossConv":
            {
                int k = a.Int(1, "kernel", 3, 1, MaxKernel);
                a.Int(2, "stride", 1, 1, MaxKernel);
                int c = Inner(spec, type, (long)(c2 * a.Fraction(4, "expansion", 1.0)), "channels × expansion");
                int g = Groups(a, 3, c, c2);
                a.Bool(5, "shortcut");
                return (double)c1 * c * k + (double)c * c2 / g * k;
            }
            case "C3" or "C3x" or "C3Ghost" or "BottleneckCSP":
            {
                a.Bool(1, "shortcut");
                int c = Inner(spec, type, (long)(c2 * a.Fraction(3, "expansion", 0.5)), "channels × expansion");
                if (type == "C3Ghost") Inner(spec, type, c / 4, $"a quarter of its {c} hidden channels");
                int g = type == "C3Ghost" ? 1 : Groups(a, 2, c, c);
                // Inner blocks: at least c·c/g (a GhostBottleneck's first conv has only c·(c/4)).
                return 2.0 * c1 * c + 2.0 * c * c2 + (double)n * c * (type == "C3Ghost" ? c / 4 : c / g);
            }
            case "DWConvTranspose2d":
            {
                int k = a.Int(1, "kernel", 1, 1, MaxKernel);
                int s = a.Int(2, "stride", 1, 1, MaxKernel);
                a.Int(3, "padding", 0, 0, MaxKernel);
                a.Int(4, "output_padding", 0, 0, s - 1);
                return (double)c1 * c2 / GhostBottleneck.Gcd(c1, c2) * k * k;
            }
            default:
                throw new InvalidDataException($"layer {spec.Index}: module '{type}' is not supported");
        }
    }

    static double Detect(YoloConfig cfg, LayerSpec spec, Reader a, int[] inputs)
    {
        int levels = cfg.Anchors.Length, na = cfg.Anchors[0].Length / 2;
        if (inputs.Length != levels)
            throw new InvalidDataException($"layer {spec.Index}: Detect from lists {inputs.Length} inputs but anchors has {levels} levels");
        a.Count(2, 2);
        if (a[0] is not "nc" && a.Int(0, "nc", null, int.MinValue, int.MaxValue) != cfg.Classes)
            a.Fail(0, "nc", $"is {YoloConfig.Show(a[0])} but the yaml nc is {cfg.Classes}");
        switch (a[1])
        {
            case "anchors":
                break;
            case IList list:
                bool same = list.Count == levels && list.Cast<object?>().Select((level, l) => level is IList v && v.Count == cfg.Anchors[l].Length
                    && v.Cast<object?>().Select((x, i) => (float)YoloConfig.Number(x, $"layer {spec.Index}: Detect args[1] (anchors)") == cfg.Anchors[l][i]).All(b => b)).All(b => b);
                if (!same) a.Fail(1, "anchors", "differs from the yaml anchors");
                break;
            default:
                if (a.Int(1, "anchors", null, int.MinValue, int.MaxValue) != na)
                    a.Fail(1, "anchors", $"is {YoloConfig.Show(a[1])} anchors per level but the yaml anchors have {na}");
                break;
        }
        return inputs.Sum(c => (double)c) * na * (cfg.Classes + 5);
    }

    static int Width(LayerSpec spec, string type, string field, long width) => width is >= 1 and <= MaxChannels ? (int)width
        : throw new InvalidDataException($"layer {spec.Index}: {type} {field} gives {width} channels, outside 1 to {MaxChannels}");

    static int Inner(LayerSpec spec, string type, long width, string what) => width is >= 1 and <= MaxChannels ? (int)width
        : throw new InvalidDataException($"layer {spec.Index}: {type} inner width ({what}) is {width}, outside 1 to {MaxChannels}");

    static int Groups(Reader a, int k, int cin, int cout)
    {
        int g = a.Int(k, "groups", 1, 1, MaxChannels);
        if (cin % g != 0 || cout % g != 0) a.Fail(k, "groups", $"{g} does not divide {cin} → {cout} channels");
        return g;
    }

    static int Pools(LayerSpec spec, Reader a)
    {
        if (!a.Has(1)) return 3;
        var ks = a[1] is IList l ? l.Cast<object?>().ToArray() : null;
        if (ks is not { Length: >= 1 and <= 8 }) a.Fail(1, "kernels", "must be a list of 1 to 8 pool sizes");
        foreach (var k in ks!) OddKernel(spec, "SPP", (int)Math.Min(int.MaxValue, Math.Max(0, YoloConfig.Int(k, $"layer {spec.Index}: SPP args[1] (kernels)"))), 1);
        return ks.Length;
    }

    static void OddKernel(LayerSpec spec, string type, int k, int arg)
    {
        if (k % 2 == 0 || k > MaxKernel)
            throw new InvalidDataException($"layer {spec.Index}: {type} args[{arg}] (kernel) must be odd and at most {MaxKernel} (pools keep the size), got {k}");
    }

    /// <summary>Reads a row's arguments by yaml position, with the factory's defaults for absent or None ones.</summary>
    sealed class Reader(LayerSpec spec, string type)
    {
        readonly IReadOnlyList<object?> _args = spec.Args ?? [];

        public object? this[int i] => i < _args.Count ? _args[i] : null;

        public bool Has(int i) => i < _args.Count && _args[i] is not (null or "None");

        public void Count(int min, int max)
        {
            if (_args.Count < min || _args.Count > max)
                throw new InvalidDataException($"layer {spec.Index}: {type} takes {(min == max ? $"{min}" : $"{min} to {max}")} args, got {_args.Count}");
        }

        public int Int(int i, string name, int? fallback, int min, int max)
        {
            if (!Has(i))
                return fallback ?? throw Error(i, name, $"is missing ({YoloConfig.Show(this[i])})");
            int v = YoloConfig.Int(_args[i], $"layer {spec.Index}: {type} args[{i}] ({name})");
            if (v < min || v > max) Fail(i, name, $"must be from {min} to {max}, got {v}");
            return v;
        }

        public void Bool(int i, string name)
        {
            if (this[i] is not (null or bool)) YoloConfig.Number(this[i], $"layer {spec.Index}: {type} args[{i}] ({name})");
        }

        public double Fraction(int i, string name, double fallback)
        {
            if (this[i] is null) return fallback;
            double e = YoloConfig.Number(this[i], $"layer {spec.Index}: {type} args[{i}] ({name})");
            if (!double.IsFinite(e) || e <= 0 || e > 4) Fail(i, name, $"must be above 0 and at most 4, got {e}");
            return e;
        }

        public void Fail(int i, string name, string problem) => throw Error(i, name, problem);

        InvalidDataException Error(int i, string name, string problem) =>
            new($"layer {spec.Index}: {type} args[{i}] ({name}) {problem}");
    }
}
