using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// The anchor-free Detect head of YOLOv8 and YOLO11: per level a box branch cv2 (Conv 3×3, Conv 3×3, 1×1 conv to
/// 4·reg_max DFL bins) and a class branch cv3: YOLOv8's (legacy) Conv 3×3, Conv 3×3, 1×1 conv to nc logits, or
/// YOLO11's (DWConv 3×3, Conv 1×1), (DWConv 3×3, Conv 1×1), 1×1 conv. Each level's output is their
/// concatenation [4·reg_max box bins, nc class logits] before any softmax or sigmoid, as Ultralytics returns
/// in training mode; <see cref="AnchorFreeDecoder"/> turns it into boxes. Outputs are named <c>{path}.out.{i}</c>.
/// </summary>
public sealed class DetectV8 : Module
{
    readonly Module[][] _box, _cls;

    public DetectV8(BuildContext ctx, string path, int nc, int[] channels, bool legacy = true, int regMax = 16) : base(path)
    {
        Classes = nc;
        RegMax = regMax;
        int c2 = Math.Max(Math.Max(16, channels[0] / 4), regMax * 4), c3 = Math.Max(channels[0], Math.Min(nc, 100));
        _box = channels.Select((c, i) => Branch(ctx, $"{path}.cv2.{i}", c, c2, 4 * regMax)).ToArray();
        _cls = channels.Select((c, i) => legacy ? Branch(ctx, $"{path}.cv3.{i}", c, c3, nc) : DepthwiseBranch(ctx, $"{path}.cv3.{i}", c, c3, nc)).ToArray();
        var dfl = ctx.Weights.TakeOptional($"{path}.dfl.conv.weight");
        if (dfl is not null && dfl.Shape.Aggregate(1L, (a, b) => a * b) != regMax)
            throw new InvalidDataException($"{path}.dfl.conv.weight has {dfl.Shape.Length} dims for {regMax} DFL bins");
    }

    Module[] Branch(BuildContext ctx, string path, int cin, int mid, int cout) =>
    [
        Child(new ConvBlock(ctx, $"{path}.0", cin, mid, 3, 1)),
        Child(new ConvBlock(ctx, $"{path}.1", mid, mid, 3, 1)),
        Child(new Conv2d(ctx, $"{path}.2", mid, cout, (1, 1), (1, 1), (0, 0))),
    ];

    Module[] DepthwiseBranch(BuildContext ctx, string path, int cin, int mid, int cout) =>
    [
        Child(new ConvBlock(ctx, $"{path}.0.0", cin, cin, 3, 1, g: cin)),
        Child(new ConvBlock(ctx, $"{path}.0.1", cin, mid, 1, 1)),
        Child(new ConvBlock(ctx, $"{path}.1.0", mid, mid, 3, 1, g: mid)),
        Child(new ConvBlock(ctx, $"{path}.1.1", mid, mid, 1, 1)),
        Child(new Conv2d(ctx, $"{path}.2", mid, cout, (1, 1), (1, 1), (0, 0))),
    ];

    public int Classes { get; }
    public int RegMax { get; }
    public int Levels => _box.Length;

    public override Var Forward(Var x) => throw new InvalidOperationException($"{Path}: Detect takes one input per level");

    /// <summary>Per level [N, 4·reg_max + nc, H, W]: raw DFL bins then raw class logits.</summary>
    public Var[] Forward(IReadOnlyList<Var> levels) => Forward(levels, out _);

    /// <summary>
    /// <see cref="Forward(IReadOnlyList{Var})"/>, also handing out each level's class branch output [N, nc, H, W]
    /// (the logits the concatenation copies after the box bins): a score made of class logits alone is seeded there,
    /// so a backward never enters the box branch (its gradient would be zero).
    /// </summary>
    public Var[] Forward(IReadOnlyList<Var> levels, out Var[] classLogits)
    {
        var outputs = new Var[levels.Count];
        classLogits = new Var[levels.Count];
        for (int i = 0; i < levels.Count; i++)
        {
            Var b = levels[i], c = levels[i];
            foreach (var m in _box[i]) b = m.Forward(b);
            foreach (var m in _cls[i]) c = m.Forward(c);
            classLogits[i] = c;
            outputs[i] = Ops.Concat(b, c).Named($"{Path}.out.{i}");
        }
        return outputs;
    }
}
