using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.SqueezeNet 1.0 and 1.1 (Iandola et al. 2016): <c>features</c> = a stride-2 conv (7×7 in 1.0,
/// 3×3 in 1.1, no padding), ReLU, then Fire modules and 3×3 stride-2 max pools with <c>ceil_mode=True</c>; the head
/// <c>classifier</c> = Dropout, a 1×1 conv to the classes, ReLU, AdaptiveAvgPool2d(1) — the class scores are an average
/// of per-pixel class maps, there is no Linear layer. Which <c>features.N</c> is a Fire module (it holds
/// <c>squeeze.weight</c>) and which a pool (it holds nothing) is read from the keys, every width from the shapes.
/// Tape names: <c>features.N</c> (a Fire's output is its concatenation), <c>features.N.squeeze</c>,
/// <c>.expand1x1</c>, <c>.expand3x3</c> and their <c>_activation</c>s, <c>classifier.1</c> … <c>classifier.3</c>.
/// </summary>
public sealed class SqueezeNet : ClassifierModel
{
    readonly Conv2d _stem;
    readonly List<(int At, Fire? Fire)> _features = [];
    readonly Conv2d _head;

    internal SqueezeNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var w0 = ArchInference.Shape(shapes, "features.0.weight");
        if (w0 is not [var c0, 3, var k, var kw] || k != kw || (k != 7 && k != 3))
            throw new InvalidDataException($"squeezenet: features.0.weight is [{string.Join(", ", w0)}], expected [C, 3, 7, 7] (1.0) or [C, 3, 3, 3] (1.1)");
        _stem = Add(new Conv2d(ctx, "features.0", 3, c0, (k, k), (2, 2), (0, 0)));
        int cin = c0, last = LastFire(shapes);
        for (int at = 2; at <= last; at++)
        {
            if (!shapes.ContainsKey($"features.{at}.squeeze.weight")) { _features.Add((at, null)); continue; }
            var fire = new Fire(ctx, this, $"features.{at}", cin, shapes);
            _features.Add((at, fire));
            cin = fire.OutChannels;
        }
        var hw = ArchInference.Shape(shapes, "classifier.1.weight");
        if (hw is not [var classes, var hc, 1, 1] || hc != cin)
            throw new InvalidDataException($"squeezenet: classifier.1.weight is [{string.Join(", ", hw)}], expected [classes, {cin}, 1, 1]");
        _head = Add(new Conv2d(ctx, "classifier.1", cin, classes, (1, 1), (1, 1), (0, 0)));
        DefaultLayer = $"features.{last}";
    }

    /// <summary>The last Fire module, <c>features[-1]</c>: the last feature map before the class conv.</summary>
    public override string DefaultLayer { get; }

    static int LastFire(IReadOnlyDictionary<string, int[]> shapes) =>
        shapes.Keys.Where(key => key.StartsWith("features.", StringComparison.Ordinal) && key.EndsWith(".squeeze.weight", StringComparison.Ordinal))
            .Select(key => int.Parse(key.AsSpan(9, key.Length - 9 - ".squeeze.weight".Length))).DefaultIfEmpty(-1).Max();

    /// <summary>The SqueezeNet a state dict is: 1.0 (7×7 stem, 96 wide) or 1.1 (3×3 stem, 64 wide) at torchvision's
    /// layout, else custom.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var w0 = ArchInference.Shape(shapes, "features.0.weight");
        int last = LastFire(shapes);
        var fires = Enumerable.Range(2, Math.Max(0, last - 1)).Where(at => shapes.ContainsKey($"features.{at}.squeeze.weight")).ToArray();
        var pools = Enumerable.Range(2, Math.Max(0, last - 1)).Except(fires).ToArray();
        int classes = ArchInference.Shape(shapes, "classifier.1.weight")[0];
        string name = (w0[0], w0.Length > 2 ? w0[2] : 0, string.Join(",", pools)) switch
        {
            (96, 7, "2,6,11") => "squeezenet1_0",
            (64, 3, "2,5,8") => "squeezenet1_1",
            _ => "squeezenet (custom)",
        };
        return new ClassifierArch(ClassifierFamily.SqueezeNet, name, classes,
            $"{w0[0]}-wide {(w0.Length > 2 ? w0[2] : 0)}×{(w0.Length > 3 ? w0[3] : 0)} stem, {fires.Length} fire modules, pools at [{string.Join(", ", pools)}], {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "SqueezeNet");
        var x = InPlaceRelu.Apply(_stem.Forward(image), "features.0", "features.1");
        foreach (var (at, fire) in _features)
            x = fire is null ? Ops.MaxPool2d(x, 3, 2, 0, ceilMode: true).Named($"features.{at}") : fire.Forward(x);
        x = x.Named("classifier.0"); // Dropout: identity in eval
        x = InPlaceRelu.Apply(_head.Forward(x), "classifier.1", "classifier.2");
        return GlobalAvgPool.Apply(x).Named("classifier.3"); // [1, classes]: AdaptiveAvgPool2d(1), then flatten
    }

    /// <summary>A Fire module: a 1×1 squeeze conv with ReLU, then a 1×1 and a 3×3 expand conv with ReLU, concatenated.</summary>
    sealed class Fire
    {
        readonly string _path;
        readonly Conv2d _squeeze, _expand1, _expand3;

        public Fire(BuildContext ctx, SqueezeNet net, string path, int cin, IReadOnlyDictionary<string, int[]> shapes)
        {
            _path = path;
            int squeeze = ArchInference.Shape(shapes, $"{path}.squeeze.weight")[0];
            int e1 = ArchInference.Shape(shapes, $"{path}.expand1x1.weight")[0];
            int e3 = ArchInference.Shape(shapes, $"{path}.expand3x3.weight")[0];
            _squeeze = net.Register(new Conv2d(ctx, $"{path}.squeeze", cin, squeeze, (1, 1), (1, 1), (0, 0)));
            _expand1 = net.Register(new Conv2d(ctx, $"{path}.expand1x1", squeeze, e1, (1, 1), (1, 1), (0, 0)));
            _expand3 = net.Register(new Conv2d(ctx, $"{path}.expand3x3", squeeze, e3, (3, 3), (1, 1), (1, 1)));
            OutChannels = e1 + e3;
        }

        public int OutChannels { get; }

        public Var Forward(Var x)
        {
            var s = InPlaceRelu.Apply(_squeeze.Forward(x), $"{_path}.squeeze", $"{_path}.squeeze_activation");
            var a = InPlaceRelu.Apply(_expand1.Forward(s), $"{_path}.expand1x1", $"{_path}.expand1x1_activation");
            var b = InPlaceRelu.Apply(_expand3.Forward(s), $"{_path}.expand3x3", $"{_path}.expand3x3_activation");
            return Ops.Concat(a, b).Named(_path);
        }
    }
}
