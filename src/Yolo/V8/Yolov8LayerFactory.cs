using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>One yaml row of an Ultralytics model into a layer: Conv, C2f, SPPF, Concat, nn.Upsample, Detect (YOLOv8) and
/// C3k2, C2PSA (YOLO11). As in parse_model, a C3k2 anywhere makes Detect's class branch the depth-wise one, and
/// scales m/l/x force C3k2's c3k.</summary>
static class Yolov8LayerFactory
{
    public static YoloLayer Create(BuildContext ctx, Yolov8Config cfg, LayerSpec spec, IReadOnlyList<int> channels)
    {
        string path = $"model.{spec.Index}";
        string type = YoloLayerFactory.TypeOf(spec.Module);
        int In(int f)
        {
            if (channels.Count == 0 && f == -1) return cfg.InputChannels;
            int i = f < 0 ? channels.Count + f : f;
            if (i < 0 || i >= channels.Count) throw new InvalidDataException($"layer {spec.Index}: input from layer {f} does not exist");
            return channels[i];
        }
        if (spec.From.Length == 0) throw new InvalidDataException($"layer {spec.Index}: empty 'from'");
        if (spec.Number is < 1 or > 1000) throw new InvalidDataException($"layer {spec.Index}: number {spec.Number} is out of range");
        int n = spec.Number > 1 ? Math.Max((int)Math.Round(spec.Number * cfg.Depth, MidpointRounding.ToEven), 1) : spec.Number;
        var a = spec.Args;
        object? A(int i) => i < a.Count ? a[i] : null;
        int I(int i, int fallback) => A(i) is null ? fallback : YoloConfig.Int(A(i), $"{path} argument {i}");
        bool B(int i, bool fallback) => A(i) switch { null => fallback, bool b => b, var v => YoloConfig.Number(v, path) != 0 };
        int Width()
        {
            int c2 = YoloConfig.Int(A(0), $"{path} channels");
            if (c2 == cfg.Classes) return c2;
            double w = Math.Ceiling(Math.Min(c2, cfg.MaxChannels) * cfg.Width / 8) * 8;
            if (!(w is >= 1 and <= 65536)) throw new InvalidDataException($"layer {spec.Index}: width {w} is out of range");
            return (int)w;
        }
        switch (type)
        {
            case "Conv" or "SPPF" when n == 1:
            {
                int c1 = In(spec.From[0]), c2 = Width();
                Module m = type == "Conv"
                    ? new ConvBlock(ctx, path, c1, c2, I(1, 1), I(2, 1), A(3) is null ? null : YoloConfig.Int(A(3), path), I(4, 1), B(6, true))
                    : Sppf.Fast(ctx, path, c1, c2, I(1, 5));
                return new YoloLayer(spec.Index, spec.From, type, c2, m);
            }
            case "C2f":
            {
                int c1 = In(spec.From[0]), c2 = Width();
                double e = A(3) is null ? 0.5 : YoloConfig.Number(A(3), $"{path} expansion");
                return new YoloLayer(spec.Index, spec.From, type, c2, new C2f(ctx, path, c1, c2, n, B(1, false), I(2, 1), e));
            }
            case "C3k2":
            {
                int c1 = In(spec.From[0]), c2 = Width();
                bool c3k = cfg.Scale is "m" or "l" or "x" || B(1, false);
                double e = A(2) is null ? 0.5 : YoloConfig.Number(A(2), $"{path} expansion");
                var inner = c3k ? C2f.Inner.C3k : C2f.Inner.C3k2;
                return new YoloLayer(spec.Index, spec.From, type, c2, new C2f(ctx, path, c1, c2, n, B(4, true), I(3, 1), e, inner));
            }
            case "C2PSA":
            {
                int c1 = In(spec.From[0]), c2 = Width();
                double e = A(1) is null ? 0.5 : YoloConfig.Number(A(1), $"{path} expansion");
                return new YoloLayer(spec.Index, spec.From, type, c2, new C2Psa(ctx, path, c1, c2, n, e));
            }
            case "Concat":
                if (I(0, 1) != 1) throw new InvalidDataException($"layer {spec.Index}: Concat along dimension {A(0)} is not supported (only channels, 1)");
                return new YoloLayer(spec.Index, spec.From, type, spec.From.Sum(In), null);
            case "Upsample":
                if ((A(2) as string ?? "nearest") != "nearest") throw new InvalidDataException($"layer {spec.Index}: Upsample mode '{A(2)}' is not supported (only 'nearest')");
                int scale = YoloConfig.Int(A(1), $"{path} scale factor");
                if (scale is < 1 or > 32) throw new InvalidDataException($"layer {spec.Index}: Upsample scale {scale} is out of range");
                return new YoloLayer(spec.Index, spec.From, type, In(spec.From[0]), new Upsample(path, scale));
            case "Detect":
                int nc = A(0) is "nc" ? cfg.Classes : YoloConfig.Int(A(0), $"{path} classes");
                if (nc != cfg.Classes) throw new InvalidDataException($"layer {spec.Index}: Detect has {nc} classes but the yaml's nc is {cfg.Classes}");
                return new YoloLayer(spec.Index, spec.From, type, 0, new DetectV8(ctx, path, nc, spec.From.Select(In).ToArray(),
                    legacy: !cfg.Layers.Any(l => l.Module == "C3k2")));
            case "Conv" or "SPPF":
                throw new InvalidDataException($"layer {spec.Index}: {type} repeated {n} times is not supported");
            default:
                throw new InvalidDataException($"layer {spec.Index}: module '{spec.Module}' is not supported");
        }
    }
}
