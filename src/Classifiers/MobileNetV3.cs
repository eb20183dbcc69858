using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.MobileNetV3 (Howard et al. 2019), small or large, any width_mult and reduced_tail:
/// <c>features.0</c> (3×3 stride-2 conv-BN-Hardswish), inverted residual blocks <c>features.1</c> … (<c>.block.J</c>:
/// a 1×1 expansion unless the width stays, a k×k depthwise conv, a squeeze-excitation with Hardsigmoid where the
/// weights have one, a 1×1 linear projection; a residual add where stride is 1 and the channels stay), the last
/// conv-BN-Hardswish, global average pool, <c>classifier.0</c> Linear, Hardswish (<c>classifier.1</c>), dropout,
/// <c>classifier.3</c> Linear. BatchNorm epsilon is torchvision's 1e-3. Widths, kernels and squeeze widths come from
/// the weights; strides and activations (ReLU or Hardswish) are not in a state dict and are torchvision's setting for
/// the block count (11: small, 15: large). Not supported: <c>dilated=True</c> (its padding is not in the weights).
/// </summary>
public sealed class MobileNetV3 : ClassifierModel
{
    const double Eps = 1e-3;

    // torchvision's _mobilenet_v3_conf: per block, stride and whether it uses Hardswish (else ReLU).
    static readonly (int Stride, bool Hardswish)[] Large =
        [(1, false), (2, false), (1, false), (2, false), (1, false), (1, false), (2, true), (1, true), (1, true), (1, true), (1, true), (1, true), (2, true), (1, true), (1, true)];
    static readonly (int Stride, bool Hardswish)[] Small =
        [(2, false), (2, false), (1, false), (2, true), (1, true), (1, true), (1, true), (1, true), (2, true), (1, true), (1, true)];

    readonly ConvNormActivation _first, _last;
    readonly Block[] _blocks;
    readonly Linear _fc1, _fc2;
    readonly Hardswish _act;

    internal MobileNetV3(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var setting = Setting(shapes);
        _first = new ConvNormActivation(ctx, this, "features.0", shapes, 3, 2, false, NormActivation.Hardswish, Eps, "mobilenet_v3");
        int c = _first.Out;
        _blocks = new Block[setting.Length];
        for (int i = 0; i < setting.Length; i++)
        {
            _blocks[i] = new Block(ctx, this, $"features.{i + 1}", shapes, c, setting[i].Stride,
                setting[i].Hardswish ? NormActivation.Hardswish : NormActivation.Relu);
            c = _blocks[i].Out;
        }
        DefaultLayer = $"features.{setting.Length + 1}";
        _last = new ConvNormActivation(ctx, this, DefaultLayer, shapes, c, 1, false, NormActivation.Hardswish, Eps, "mobilenet_v3");
        int hidden = ArchInference.Shape(shapes, "classifier.0.weight")[0];
        _fc1 = Add(new Linear(ctx, "classifier.0", _last.Out, hidden));
        _act = Add(new Hardswish("classifier.1"));
        _fc2 = Add(new Linear(ctx, "classifier.3", hidden, arch.Classes));
    }

    /// <inheritdoc/>
    public override string DefaultLayer { get; }

    static (int Stride, bool Hardswish)[] Setting(IReadOnlyDictionary<string, int[]> shapes)
    {
        int blocks = 0;
        while (shapes.ContainsKey($"features.{blocks + 1}.block.0.0.weight")) blocks++;
        return blocks switch
        {
            15 => Large,
            11 => Small,
            _ => throw new InvalidDataException($"mobilenet_v3 checkpoint has {blocks} inverted residual blocks; torchvision's layouts have 11 (small) " +
                "or 15 (large) (a custom inverted_residual_setting's strides and activations are not recorded in a state dict)"),
        };
    }

    /// <summary>A MobileNetV3 state dict's architecture: small or large from the block count.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var setting = Setting(shapes);
        string name = setting == Large ? "mobilenet_v3_large" : "mobilenet_v3_small";
        if (!shapes.ContainsKey($"features.{setting.Length + 1}.0.weight") || shapes.ContainsKey($"features.{setting.Length + 2}.0.weight"))
            throw new InvalidDataException($"{name} checkpoint does not end in one conv features.{setting.Length + 1} after its {setting.Length} blocks");
        int first = ArchInference.Shape(shapes, "features.0.0.weight")[0];
        int last = ArchInference.Shape(shapes, $"features.{setting.Length + 1}.0.weight")[0];
        int hidden = ArchInference.Shape(shapes, "classifier.0.weight")[0];
        int classes = ArchInference.Shape(shapes, "classifier.3.weight")[0];
        return new ClassifierArch(ClassifierFamily.MobileNetV3, name, classes,
            $"{setting.Length} blocks, {first} channels in features.0, {last} in features.{setting.Length + 1}, head {hidden}, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "MobileNetV3");
        var x = _first.Forward(image);
        foreach (var block in _blocks) x = block.Forward(x);
        x = _last.Forward(x).Named("features");
        x = _act.Forward(_fc1.Forward(GlobalAvgPool.Apply(x)));
        return _fc2.Forward(x);
    }

    /// <summary>torchvision's mobilenetv3.InvertedResidual: <c>{path}.block.J</c> in order, then the residual add.</summary>
    sealed class Block
    {
        readonly string _path;
        readonly List<Func<Var, Var>> _stages = [];
        readonly bool _residual;

        public Block(BuildContext ctx, MobileNetV3 owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, int stride, NormActivation act)
        {
            _path = path;
            int convs = 0;
            for (int j = 0; shapes.ContainsKey($"{path}.block.{j}.0.weight") || shapes.ContainsKey($"{path}.block.{j}.fc1.weight"); j++)
                if (shapes.ContainsKey($"{path}.block.{j}.0.weight")) convs++;
            if (convs is not (2 or 3)) throw new InvalidDataException($"mobilenet_v3: {path} has {convs} convs, an inverted residual has 2 or 3");
            int c = cin, at = 0;
            if (convs == 3) c = AddConv(new ConvNormActivation(ctx, owner, $"{path}.block.{at++}", shapes, c, 1, false, act, Eps, "mobilenet_v3"));
            c = AddConv(new ConvNormActivation(ctx, owner, $"{path}.block.{at++}", shapes, c, stride, true, act, Eps, "mobilenet_v3"));
            if (shapes.ContainsKey($"{path}.block.{at}.fc1.weight"))
            {
                var gate = owner.Add(new Hardsigmoid($"{path}.block.{at}.scale_activation"));
                var se = owner.Add(new SqueezeExcitation(ctx, $"{path}.block.{at++}", c, gate.Forward));
                _stages.Add(se.Forward);
            }
            Out = AddConv(new ConvNormActivation(ctx, owner, $"{path}.block.{at}", shapes, c, 1, false, NormActivation.None, Eps, "mobilenet_v3"));
            _residual = stride == 1 && cin == Out;
        }

        int AddConv(ConvNormActivation conv)
        {
            _stages.Add(conv.Forward);
            return conv.Out;
        }

        public int Out { get; }

        public Var Forward(Var x)
        {
            var y = x;
            foreach (var stage in _stages) y = stage(y);
            y = y.Named($"{_path}.block");
            return (_residual ? Ops.Add(x, y) : y).Named(_path);
        }
    }
}
