namespace NativeCam.Yolo;

/// <summary>
/// Checks a whole <see cref="YoloConfig"/> before anything is built: nc, depth and width multiples, ch, the
/// anchors, and every row of the layer table (module, <c>from</c>, <c>number</c>, arguments, the widths they
/// give). Each failure is one <see cref="InvalidDataException"/> line naming the field and its value, so a
/// malformed or hostile yaml never reaches an index, a division or an allocation it would break.
/// </summary>
static class YoloConfigValidator
{
    public const int MaxClasses = 100_000;
    public const double MaxMultiple = 10;
    public const int MaxInputChannels = 64;
    public const int MaxLevels = 16;
    public const int MaxAnchorsPerLevel = 100;
    public const int MaxLayers = 1000;
    public const int MaxNumber = 1000;
    /// <summary>The most parameters a yaml may describe (4 GB as float32): ten times yolov5x6.</summary>
    public const double MaxParameters = 1e9;

    /// <summary>Validates <paramref name="cfg"/> and returns a lower bound on its parameter count.</summary>
    public static double Check(YoloConfig cfg)
    {
        if (cfg.Classes is < 1 or > MaxClasses)
            throw new InvalidDataException($"yaml nc must be a class count from 1 to {MaxClasses}, got {cfg.Classes}");
        Multiple(cfg.DepthMultiple, "depth_multiple");
        Multiple(cfg.WidthMultiple, "width_multiple");
        if (cfg.InputChannels is < 1 or > MaxInputChannels)
            throw new InvalidDataException($"yaml ch must be an input channel count from 1 to {MaxInputChannels}, got {cfg.InputChannels}");
        Anchors(cfg.Anchors);
        return Layers(cfg);
    }

    static void Multiple(double value, string field)
    {
        if (!double.IsFinite(value) || value <= 0 || value > MaxMultiple)
            throw new InvalidDataException($"yaml {field} must be a finite number above 0 and at most {MaxMultiple}, got {value}");
    }

    static void Anchors(float[][]? anchors)
    {
        if (anchors is not { Length: > 0 })
            throw new InvalidDataException("yaml anchors must list the pixel (w, h) pairs of at least one level, got []");
        if (anchors.Length > MaxLevels)
            throw new InvalidDataException($"yaml anchors has {anchors.Length} levels, at most {MaxLevels} are supported");
        for (int l = 0; l < anchors.Length; l++)
        {
            var level = anchors[l];
            if (level is not { Length: > 0 })
                throw new InvalidDataException($"yaml anchors level {l} is empty: it needs (w, h) pixel pairs");
            if (level.Length % 2 != 0)
                throw new InvalidDataException($"yaml anchors level {l} has {level.Length} values, not (w, h) pairs");
            if (level.Length / 2 > MaxAnchorsPerLevel)
                throw new InvalidDataException($"yaml anchors level {l} has {level.Length / 2} anchors, at most {MaxAnchorsPerLevel} are supported");
            if (level.Length != anchors[0].Length)
                throw new InvalidDataException($"yaml anchors level {l} has {level.Length / 2} anchors but level 0 has {anchors[0].Length / 2} (every level needs the same count)");
            for (int i = 0; i < level.Length; i++)
                if (!float.IsFinite(level[i]) || level[i] <= 0)
                    throw new InvalidDataException($"yaml anchors level {l} value {i} must be a finite positive pixel size, got {level[i]}");
        }
    }

    static double Layers(YoloConfig cfg)
    {
        var layers = cfg.Layers;
        if (layers is not { Count: > 0 }) throw new InvalidDataException("yaml has no layers (backbone and head are empty)");
        if (layers.Count > MaxLayers) throw new InvalidDataException($"yaml has {layers.Count} layers, at most {MaxLayers} are supported");
        var channels = new List<int>(layers.Count);
        double parameters = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var spec = layers[i] ?? throw new InvalidDataException($"yaml layer {i} is missing");
            if (spec.Index != i) throw new InvalidDataException($"yaml layer {i} has index {spec.Index}");
            string module = spec.Module ?? "None";
            string type = YoloLayerFactory.TypeOf(module);
            if (!YoloLayerFactory.Supports(type))
                throw new InvalidDataException($"layer {i}: module '{YoloConfig.Show(module)}' is not supported");
            bool last = i == layers.Count - 1;
            if (type == "Detect" && !last) throw new InvalidDataException($"layer {i}: Detect must be the last layer");
            if (last && type != "Detect") throw new InvalidDataException($"the yaml has no Detect layer: the last layer ({i}) is {YoloConfig.Show(module)}");
            if (spec.Number is < 1 or > MaxNumber)
                throw new InvalidDataException($"layer {i}: {type} number must be from 1 to {MaxNumber}, got {spec.Number}");
            int n = YoloLayerFactory.Repeats(spec.Number, cfg.DepthMultiple);
            if (n > MaxNumber)
                throw new InvalidDataException($"layer {i}: {type} number {spec.Number} × depth_multiple {cfg.DepthMultiple} gives {n} repeats, more than {MaxNumber}");
            if (n != 1 && !YoloLayerFactory.IsScaled(type))
                throw new InvalidDataException($"layer {i}: {type} number must be 1, got {spec.Number} (× depth_multiple {cfg.DepthMultiple}: {n})");
            var inputs = From(spec, type, channels, cfg.InputChannels);
            var (width, weights) = YoloLayerArgs.Check(cfg, spec, type, inputs, n);
            channels.Add(width);
            parameters += weights;
        }
        if (parameters > MaxParameters)
            throw new InvalidDataException($"the yaml describes a network of at least {parameters:0} parameters, more than the {MaxParameters:0} accepted (check width_multiple and the channel arguments)");
        return parameters;
    }

    /// <summary>The widths of a row's inputs: -1 is the previous layer (the image for layer 0), other negatives count back, others are absolute.</summary>
    static int[] From(LayerSpec spec, string type, List<int> channels, int inputChannels)
    {
        int i = spec.Index;
        var from = spec.From ?? [];
        if (from.Length == 0) throw new InvalidDataException($"layer {i}: {type} from is empty: it needs at least one input layer");
        if (from.Length > MaxLevels * 4) throw new InvalidDataException($"layer {i}: {type} from lists {from.Length} inputs, at most {MaxLevels * 4} are supported");
        bool many = type is "Concat" or "Detect";
        if (!many && from.Length != 1)
            throw new InvalidDataException($"layer {i}: {type} from must be one layer, got {from.Length}");
        return from.Select(f =>
        {
            if (f == -1 && i == 0) return inputChannels;
            int at = f < 0 ? i + f : f;
            if (at < 0 || at >= i)
                throw new InvalidDataException($"layer {i}: {type} from {f} does not name an earlier layer (layers 0 to {i - 1}, or -1 to -{i})");
            return channels[at];
        }).ToArray();
    }
}
