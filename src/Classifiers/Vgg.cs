using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.VGG (Simonyan and Zisserman 2015), with or without BatchNorm: <c>features</c> (3×3 convs with
/// ReLU, 2×2 max pools), AdaptiveAvgPool2d(7), flatten, <c>classifier</c> (Linear, ReLU, Dropout, Linear, ReLU,
/// Dropout, Linear). The conv configuration is read from which <c>features.N</c> hold weights; a pool is where two
/// convs are one index further apart than a conv (and its BatchNorm) and ReLU take, and after the last conv, as in
/// every torchvision configuration. Tape names: <c>features.N</c> for every conv (BatchNorm-folded: the BatchNorm's
/// index), ReLU and pool, <c>avgpool</c>, <c>classifier.N</c>.
/// </summary>
public sealed class Vgg : ClassifierModel
{
    readonly List<(Module? Conv, string Relu, string? Pool)> _features = [];
    readonly AdaptiveAvgPool2d _avgpool;
    readonly Linear[] _classifier;

    internal Vgg(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var convs = ConvIndices(shapes);
        bool bn = shapes.ContainsKey($"features.{convs[0] + 1}.running_mean");
        int step = bn ? 3 : 2, cin = 3;
        for (int i = 0; i < convs.Count; i++)
        {
            int at = convs[i];
            var w = ArchInference.Shape(shapes, $"features.{at}.weight");
            if (w is not [var cout, var wc, 3, 3] || wc != cin)
                throw new InvalidDataException($"vgg: features.{at}.weight is [{string.Join(", ", w)}], expected [C, {cin}, 3, 3]");
            Module conv = bn ? Add(new ConvBn(ctx, $"features.{at}", $"features.{at + 1}", cin, cout, 3, 1, 1))
                : Add(new Conv2d(ctx, $"features.{at}", cin, cout, (3, 3), (1, 1), (1, 1)));
            bool last = i == convs.Count - 1;
            int next = last ? at + step + 1 : convs[i + 1];
            if (next != at + step && next != at + step + 1)
                throw new InvalidDataException($"vgg: features.{at} and features.{next} are not a conv configuration torchvision makes");
            _features.Add((conv, $"features.{at + step - 1}", next == at + step + 1 ? $"features.{at + step}" : null));
            cin = cout;
        }
        _avgpool = Add(new AdaptiveAvgPool2d(ctx.Device, "avgpool", 7, 7));
        var fc0 = ArchInference.Shape(shapes, "classifier.0.weight");
        if (fc0[1] != cin * 49) throw new InvalidDataException($"vgg: classifier.0 takes {fc0[1]} features, the last conv gives {cin}·7·7 = {cin * 49}");
        var fc3 = ArchInference.Shape(shapes, "classifier.3.weight");
        int classes = ArchInference.Shape(shapes, "classifier.6.weight")[0];
        _classifier =
        [
            Add(new Linear(ctx, "classifier.0", cin * 49, fc0[0])),
            Add(new Linear(ctx, "classifier.3", fc0[0], fc3[0])),
            Add(new Linear(ctx, "classifier.6", fc3[0], classes)),
        ];
        DefaultLayer = _features[^1].Pool!;
    }

    /// <inheritdoc/>
    public override string DefaultLayer { get; }

    static List<int> ConvIndices(IReadOnlyDictionary<string, int[]> shapes) =>
        shapes.Where(p => p.Key.StartsWith("features.", StringComparison.Ordinal) && p.Key.EndsWith(".weight", StringComparison.Ordinal) && p.Value.Length == 4)
            .Select(p => int.Parse(p.Key.AsSpan(9, p.Key.Length - 9 - 7))).Order().ToList();

    /// <summary>The VGG a state dict is: vgg11/13/16/19 by its number of convs, <c>_bn</c> with BatchNorm.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var convs = ConvIndices(shapes);
        bool bn = convs.Count > 0 && shapes.ContainsKey($"features.{convs[0] + 1}.running_mean");
        int classes = ArchInference.Shape(shapes, "classifier.6.weight")[0];
        string name = convs.Count switch { 8 => "vgg11", 10 => "vgg13", 13 => "vgg16", 16 => "vgg19", _ => "vgg (custom)" };
        if (bn && !name.Contains(' ')) name += "_bn";
        return new ClassifierArch(ClassifierFamily.Vgg, name, classes, $"{convs.Count} convs{(bn ? " with BatchNorm" : "")}, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "VGG");
        var x = image;
        foreach (var (conv, relu, pool) in _features)
        {
            x = conv is ConvBn bn ? InPlaceRelu.Apply(bn.Forward(x), bn.Path, relu) : Ops.Relu(conv!.Forward(x)).Named(relu);
            if (pool != null) x = Ops.MaxPool2d(x, 2, 2, 0).Named(pool);
        }
        x = _avgpool.Forward(x);
        x = Ops.Reshape(x, x.Shape[0], x.Value.Length / x.Shape[0]);
        x = Ops.Relu(_classifier[0].Forward(x)).Named("classifier.1").Named("classifier.2");
        x = Ops.Relu(_classifier[1].Forward(x)).Named("classifier.4").Named("classifier.5");
        return _classifier[2].Forward(x);
    }
}
