using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.MobileNetV2 (Sandler et al. 2018), any width_mult: <c>features.0</c> (3×3 stride-2
/// conv-BN-ReLU6), 17 inverted residual blocks <c>features.1</c> … <c>features.17</c> (1×1 expansion unless the
/// expansion ratio is 1, 3×3 depthwise, 1×1 linear projection; a residual add where stride is 1 and the channels
/// stay), <c>features.18</c> (1×1 conv-BN-ReLU6), global average pool, <c>classifier.1</c>. Widths come from the
/// weights; the strides are not in a state dict and are torchvision's inverted_residual_setting (stride 2 at blocks
/// 2, 4, 7 and 14), so a net must have its 17 blocks. Tape names: <c>features.N</c>, inside a block
/// <c>features.N.conv.J</c> (a conv-BN-ReLU6; its parts <c>.1</c> BatchNorm and <c>.2</c> ReLU6) and the
/// projection's BatchNorm <c>features.N.conv.2</c> or <c>.3</c>, <c>classifier.1</c>.
/// </summary>
public sealed class MobileNetV2 : ClassifierModel
{
    static readonly int[] StrideTwo = [2, 4, 7, 14];
    const int Blocks = 17;

    readonly (ConvBn Conv, Relu6 Act) _first, _last;
    readonly InvertedResidual[] _blocks;
    readonly Linear _classifier;

    internal MobileNetV2(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        _first = ConvBnRelu6(ctx, "features.0", shapes, 3, 3, 2, 1);
        int c = ArchInference.Shape(shapes, "features.0.0.weight")[0];
        _blocks = new InvertedResidual[Blocks];
        for (int i = 1; i <= Blocks; i++)
        {
            _blocks[i - 1] = new InvertedResidual(ctx, this, $"features.{i}", shapes, c, StrideTwo.Contains(i) ? 2 : 1);
            c = _blocks[i - 1].Out;
        }
        _last = ConvBnRelu6(ctx, $"features.{Blocks + 1}", shapes, c, 1, 1, 1);
        int last = ArchInference.Shape(shapes, $"features.{Blocks + 1}.0.weight")[0];
        _classifier = Add(new Linear(ctx, "classifier.1", last, ArchInference.Shape(shapes, "classifier.1.weight")[0]));
    }

    /// <inheritdoc/>
    public override string DefaultLayer => $"features.{Blocks + 1}";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => (DefaultLayer, _classifier.Weight);

    /// <summary>A MobileNetV2 state dict's architecture: 17 inverted residual blocks and features.18.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        int blocks = 0;
        while (shapes.ContainsKey($"features.{blocks + 1}.conv.0.0.weight")) blocks++;
        if (blocks != Blocks || !shapes.ContainsKey($"features.{Blocks + 1}.0.weight") || shapes.ContainsKey($"features.{Blocks + 2}.0.weight"))
            throw new InvalidDataException($"mobilenet_v2 checkpoint has {blocks} inverted residual blocks; torchvision's layout has {Blocks} " +
                "(a custom inverted_residual_setting's strides are not recorded in a state dict)");
        int first = ArchInference.Shape(shapes, "features.0.0.weight")[0];
        int classes = ArchInference.Shape(shapes, "classifier.1.weight")[0];
        return new ClassifierArch(ClassifierFamily.MobileNetV2, "mobilenet_v2", classes, $"{first} channels in features.0, {classes} classes");
    }

    /// <summary>torchvision's Conv2dNormActivation(…, activation_layer=ReLU6) at <paramref name="path"/>: <c>{path}.0</c> conv, <c>.1</c> BatchNorm, <c>.2</c> ReLU6.</summary>
    (ConvBn, Relu6) ConvBnRelu6(BuildContext ctx, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, int kernel, int stride, int groups)
    {
        var w = ArchInference.Shape(shapes, $"{path}.0.weight");
        if (w.Length != 4 || w[2] != kernel) throw new InvalidDataException($"mobilenet_v2: {path}.0.weight is [{string.Join(", ", w)}], expected a {kernel}×{kernel} conv");
        if (groups != 1) groups = cin;
        return (Add(new ConvBn(ctx, $"{path}.0", $"{path}.1", cin, w[0], kernel, stride, (kernel - 1) / 2, groups)), Add(new Relu6($"{path}.2")));
    }

    // conv + BN + ReLU6 in one fused conv pass, ReLU6 applied in place as torchvision does (InPlaceRelu).
    static Var Run((ConvBn Conv, Relu6 Act) cbr, string path, Var x) => InPlaceRelu.Fused(cbr.Conv, x, UnaryOp.Relu6, cbr.Act.Forward).Named(path);

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "MobileNetV2");
        var x = Run(_first, "features.0", image);
        foreach (var block in _blocks) x = block.Forward(x);
        x = Run(_last, $"features.{Blocks + 1}", x).Named("features");
        return _classifier.Forward(GlobalAvgPool.Apply(x));
    }

    sealed class InvertedResidual
    {
        readonly string _path;
        readonly List<((ConvBn Conv, Relu6 Act) Cbr, string Name)> _stages = [];
        readonly ConvBn _project;
        readonly bool _residual;

        public InvertedResidual(BuildContext ctx, MobileNetV2 owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, int stride)
        {
            _path = path;
            bool expand = shapes.ContainsKey($"{path}.conv.3.weight");
            int c = cin, j = 0;
            if (expand)
            {
                _stages.Add((owner.ConvBnRelu6(ctx, $"{path}.conv.0", shapes, c, 1, 1, 1), $"{path}.conv.0"));
                c = ArchInference.Shape(shapes, $"{path}.conv.0.0.weight")[0];
                j = 1;
            }
            _stages.Add((owner.ConvBnRelu6(ctx, $"{path}.conv.{j}", shapes, c, 3, stride, c), $"{path}.conv.{j}"));
            var w = ArchInference.Shape(shapes, $"{path}.conv.{j + 1}.weight");
            Out = w[0];
            _project = owner.Add(new ConvBn(ctx, $"{path}.conv.{j + 1}", $"{path}.conv.{j + 2}", c, Out, 1, 1, 0));
            _residual = stride == 1 && cin == Out;
        }

        public int Out { get; }

        public Var Forward(Var x)
        {
            var y = x;
            foreach (var (cbr, name) in _stages) y = Run(cbr, name, y);
            y = _project.Forward(y).Named($"{_path}.conv");
            return (_residual ? Ops.Add(x, y) : y).Named(_path);
        }
    }
}
