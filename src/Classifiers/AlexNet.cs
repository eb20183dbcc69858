using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.AlexNet (Krizhevsky 2014's one-GPU variant): <c>features</c> = conv 11×11 s4 p2, ReLU, max pool
/// 3 s2, conv 5×5 p2, ReLU, max pool, three 3×3 convs with ReLU, max pool (indices 0 … 12); AdaptiveAvgPool2d(6);
/// flatten; <c>classifier</c> = Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear (weights at 1, 4, 6). Every width
/// and the class count are read from the weights; kernels, strides and paddings are torchvision's. Tape names:
/// <c>features.N</c> for every conv, ReLU and pool, <c>avgpool</c>, <c>classifier.N</c>.
/// </summary>
public sealed class AlexNet : ClassifierModel
{
    // features index of each conv, its kernel, stride and padding; a max pool follows the convs at 0, 3 and 10
    static readonly (int At, int Kernel, int Stride, int Padding)[] Convs = [(0, 11, 4, 2), (3, 5, 1, 2), (6, 3, 1, 1), (8, 3, 1, 1), (10, 3, 1, 1)];
    static readonly int[] PoolAfter = [0, 3, 10];

    readonly Conv2d[] _convs;
    readonly AdaptiveAvgPool2d _avgpool;
    readonly Linear[] _classifier;

    internal AlexNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var convs = new List<Conv2d>();
        int cin = 3;
        foreach (var (at, k, s, p) in Convs)
        {
            var w = ArchInference.Shape(shapes, $"features.{at}.weight");
            if (w is not [var cout, var wc, var kh, var kw] || wc != cin || kh != k || kw != k)
                throw new InvalidDataException($"alexnet: features.{at}.weight is [{string.Join(", ", w)}], expected [C, {cin}, {k}, {k}]");
            convs.Add(Add(new Conv2d(ctx, $"features.{at}", cin, cout, (k, k), (s, s), (p, p))));
            cin = cout;
        }
        _convs = [.. convs];
        _avgpool = Add(new AdaptiveAvgPool2d(ctx.Device, "avgpool", 6, 6));
        var fc1 = ArchInference.Shape(shapes, "classifier.1.weight");
        if (fc1[1] != cin * 36) throw new InvalidDataException($"alexnet: classifier.1 takes {fc1[1]} features, the last conv gives {cin}·6·6 = {cin * 36}");
        var fc4 = ArchInference.Shape(shapes, "classifier.4.weight");
        _classifier =
        [
            Add(new Linear(ctx, "classifier.1", cin * 36, fc1[0])),
            Add(new Linear(ctx, "classifier.4", fc1[0], fc4[0])),
            Add(new Linear(ctx, "classifier.6", fc4[0], arch.Classes)),
        ];
    }

    /// <summary><c>features.12</c>, the last max pool (<c>features[-1]</c>, as for VGG).</summary>
    public override string DefaultLayer => "features.12";

    /// <summary>The AlexNet a state dict is: <c>alexnet</c> at torchvision's widths (64, 192, 384, 256, 256; 4096), else custom.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var widths = Convs.Select(c => ArchInference.Shape(shapes, $"features.{c.At}.weight")[0]).ToArray();
        int hidden = ArchInference.Shape(shapes, "classifier.1.weight")[0];
        int classes = ArchInference.Shape(shapes, "classifier.6.weight")[0];
        bool standard = widths.SequenceEqual([64, 192, 384, 256, 256]) && hidden == 4096;
        return new ClassifierArch(ClassifierFamily.AlexNet, standard ? "alexnet" : "alexnet (custom)", classes,
            $"conv widths [{string.Join(", ", widths)}], hidden {hidden}, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "AlexNet");
        var x = image;
        for (int i = 0; i < _convs.Length; i++)
        {
            int at = Convs[i].At;
            x = InPlaceRelu.Apply(_convs[i].Forward(x), $"features.{at}", $"features.{at + 1}");
            if (PoolAfter.Contains(at)) x = Ops.MaxPool2d(x, 3, 2, 0).Named($"features.{at + 2}");
        }
        x = _avgpool.Forward(x);
        x = Ops.Reshape(x, x.Shape[0], x.Value.Length / x.Shape[0]).Named("classifier.0");
        x = Ops.Relu(_classifier[0].Forward(x)).Named("classifier.2").Named("classifier.3");
        x = Ops.Relu(_classifier[1].Forward(x)).Named("classifier.5");
        return _classifier[2].Forward(x);
    }
}
