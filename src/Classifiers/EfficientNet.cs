using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.EfficientNet V1 (Tan and Le 2019): efficientnet_b0 … b7 and any width/depth multiplier of
/// their setting. <c>features.0</c> (3×3 stride-2 conv-BN-SiLU), seven stages <c>features.1</c> … <c>features.7</c>
/// of MBConv blocks <c>features.S.B</c> (<c>.block.J</c>: a 1×1 expansion conv-BN-SiLU unless the width stays, a
/// k×k depthwise conv-BN-SiLU, a squeeze-excitation with SiLU and Sigmoid, a 1×1 linear projection; a residual add
/// where stride is 1 and the channels stay; stochastic depth is the identity in eval), <c>features.8</c> (1×1
/// conv-BN-SiLU), global average pool, dropout, <c>classifier.1</c>. Widths, kernels, expansion and squeeze widths
/// come from the weights; the stage strides (1, 2, 2, 2, 1, 2, 1) are torchvision's setting, not in a state dict, so
/// a net must have its seven stages. BatchNorm eps is torchvision's: 1e-5 for b0…b4 (and custom multipliers, the
/// class's default), 1e-3 for b5…b7.
/// </summary>
public sealed class EfficientNet : ClassifierModel
{
    static readonly int[] StageStrides = [1, 2, 2, 2, 1, 2, 1];

    // torchvision's _efficientnet_conf for V1: per stage (expand ratio, kernel, stride, in, out, layers) at multiplier 1
    static readonly (int In, int Out, int Layers)[] BaseStages = [(32, 16, 1), (16, 24, 2), (24, 40, 2), (40, 80, 3), (80, 112, 3), (112, 192, 4), (192, 320, 1)];

    // efficientnet_b0 … b7: width_mult, depth_mult, BatchNorm eps
    static readonly (double Width, double Depth, double Eps)[] Variants =
        [(1.0, 1.0, 1e-5), (1.0, 1.1, 1e-5), (1.1, 1.2, 1e-5), (1.2, 1.4, 1e-5), (1.4, 1.8, 1e-5), (1.6, 2.2, 1e-3), (1.8, 2.6, 1e-3), (2.0, 3.1, 1e-3)];

    const double DefaultEps = 1e-5;

    readonly ConvNormActivation _first, _last;
    readonly MBConv[][] _stages;
    readonly Linear _classifier;

    internal EfficientNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var layout = Layout.Read(shapes);
        double eps = EpsOf(arch.Name);
        _first = new ConvNormActivation(ctx, this, "features.0", shapes, 3, 2, false, NormActivation.Silu, eps, "efficientnet");
        int c = _first.Out;
        _stages = new MBConv[layout.Blocks.Length][];
        for (int s = 0; s < _stages.Length; s++)
        {
            _stages[s] = new MBConv[layout.Blocks[s]];
            for (int b = 0; b < layout.Blocks[s]; b++)
            {
                _stages[s][b] = new MBConv(ctx, this, $"features.{s + 1}.{b}", shapes, c, b == 0 ? StageStrides[s] : 1, eps);
                c = _stages[s][b].Out;
            }
        }
        DefaultLayer = $"features.{_stages.Length + 1}";
        _last = new ConvNormActivation(ctx, this, DefaultLayer, shapes, c, 1, false, NormActivation.Silu, eps, "efficientnet");
        _classifier = Add(new Linear(ctx, "classifier.1", _last.Out, arch.Classes));
    }

    /// <inheritdoc/>
    public override string DefaultLayer { get; }

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => (DefaultLayer, _classifier.Weight);

    static double EpsOf(string name) =>
        name.StartsWith("efficientnet_b", StringComparison.Ordinal) ? Variants[name[^1] - '0'].Eps : DefaultEps;

    /// <summary>An EfficientNet state dict's architecture: blocks per stage and widths, and the torchvision variant
    /// (b0 … b7) whose width and depth multipliers give exactly those, else <c>efficientnet (custom)</c>.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var layout = Layout.Read(shapes);
        int classes = ArchInference.Shape(shapes, "classifier.1.weight")[0];
        string name = "efficientnet (custom)";
        for (int v = 0; v < Variants.Length; v++)
            if (layout.Equals(Layout.Of(Variants[v].Width, Variants[v].Depth))) name = $"efficientnet_b{v}";
        return new ClassifierArch(ClassifierFamily.EfficientNet, name, classes,
            $"stem {layout.Stem}, blocks [{string.Join(", ", layout.Blocks)}], widths [{string.Join(", ", layout.Widths)}], " +
            $"head {layout.Head}, {classes} classes, BatchNorm eps {EpsOf(name):0.#####}");
    }

    /// <summary>What a state dict says of the stages: the stem width, blocks and output width per stage, the head width.</summary>
    sealed record Layout(int Stem, int[] Blocks, int[] Widths, int Head)
    {
        public bool Equals(Layout? o) => o is not null && Stem == o.Stem && Head == o.Head && Blocks.SequenceEqual(o.Blocks) && Widths.SequenceEqual(o.Widths);

        public override int GetHashCode() => HashCode.Combine(Stem, Head, Blocks.Length);

        public static Layout Read(IReadOnlyDictionary<string, int[]> shapes)
        {
            int stages = 0;
            while (shapes.ContainsKey($"features.{stages + 1}.0.block.0.0.weight")) stages++;
            if (stages != StageStrides.Length)
                throw new InvalidDataException($"efficientnet checkpoint has {stages} stages of MBConv blocks; torchvision's V1 layout has {StageStrides.Length} " +
                    "(a custom inverted_residual_setting's strides are not recorded in a state dict)");
            string head = $"features.{stages + 1}.0.weight";
            if (!shapes.TryGetValue(head, out var hw) || hw is not [_, _, 1, 1] || shapes.ContainsKey($"features.{stages + 2}.0.weight"))
                throw new InvalidDataException($"efficientnet checkpoint does not end in one 1×1 conv {head} after its {stages} stages");
            var blocks = new int[stages];
            var widths = new int[stages];
            for (int s = 0; s < stages; s++)
            {
                while (shapes.ContainsKey($"features.{s + 1}.{blocks[s]}.block.0.0.weight"))
                {
                    string block = $"features.{s + 1}.{blocks[s]}.block";
                    // MBConv has a squeeze-excitation after its depthwise conv; EfficientNet V2's FusedMBConv has none
                    if (!shapes.ContainsKey($"{block}.1.fc1.weight") && !shapes.ContainsKey($"{block}.2.fc1.weight"))
                        throw new InvalidDataException($"efficientnet: {block} has no squeeze-excitation: a FusedMBConv block of " +
                            "efficientnet_v2_s/m/l, which is not supported (EfficientNet V1, b0…b7, is)");
                    widths[s] = ArchInference.Shape(shapes, shapes.ContainsKey($"{block}.3.0.weight") ? $"{block}.3.0.weight" : $"{block}.2.0.weight")[0];
                    blocks[s]++;
                }
            }
            return new Layout(ArchInference.Shape(shapes, "features.0.0.weight")[0], blocks, widths, hw[0]);
        }

        /// <summary>The layout torchvision's efficientnet_b* builds at these multipliers (MBConvConfig's rounding).</summary>
        public static Layout Of(double width, double depth)
        {
            var blocks = BaseStages.Select(s => (int)Math.Ceiling(s.Layers * depth)).ToArray();
            var widths = BaseStages.Select(s => Divisible(s.Out * width)).ToArray();
            return new Layout(Divisible(BaseStages[0].In * width), blocks, widths, 4 * widths[^1]);
        }

        /// <summary>torchvision's _make_divisible(v, 8): the nearest multiple of 8, at least 8, not below 0.9·v.</summary>
        static int Divisible(double v)
        {
            int rounded = Math.Max(8, (int)(v + 4) / 8 * 8);
            return rounded < 0.9 * v ? rounded + 8 : rounded;
        }
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "EfficientNet");
        var x = _first.Forward(image);
        for (int s = 0; s < _stages.Length; s++)
        {
            foreach (var block in _stages[s]) x = block.Forward(x);
            x = x.Named($"features.{s + 1}");
        }
        x = _last.Forward(x).Named("features");
        return _classifier.Forward(GlobalAvgPool.Apply(x));
    }

    /// <summary>
    /// torchvision's efficientnet.MBConv: <c>{path}.block.J</c> in order, then the residual add. torchvision adds the
    /// input in place (<c>result += input</c>) into the projection's BatchNorm output, which is also the output of
    /// <c>.block</c>, of the projection <c>.block.J</c> and of <c>.stochastic_depth</c> (the identity in eval): a hook on
    /// any of them holds the sum, so NativeCam names the sum with all of those paths.
    /// </summary>
    sealed class MBConv
    {
        readonly string _path;
        readonly List<Func<Var, Var>> _stages = [];
        readonly string _project;
        readonly bool _residual;

        public MBConv(BuildContext ctx, EfficientNet owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, int stride, double eps)
        {
            _path = path;
            bool expand = shapes.ContainsKey($"{path}.block.3.0.weight");
            int c = cin, j = 0;
            if (expand) c = AddConv(new ConvNormActivation(ctx, owner, $"{path}.block.{j++}", shapes, c, 1, false, NormActivation.Silu, eps, "efficientnet"));
            c = AddConv(new ConvNormActivation(ctx, owner, $"{path}.block.{j++}", shapes, c, stride, true, NormActivation.Silu, eps, "efficientnet"));
            var se = owner.Add(new SqueezeExcitation(ctx, $"{path}.block.{j++}", c, Ops.Sigmoid, Ops.Silu));
            _stages.Add(se.Forward);
            _project = $"{path}.block.{j}";
            Out = AddConv(new ConvNormActivation(ctx, owner, _project, shapes, c, 1, false, NormActivation.None, eps, "efficientnet"));
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
            if (!_residual) return y.Named(_path);
            return Ops.Add(y, x).Named(_path).Named($"{_path}.stochastic_depth").Named($"{_path}.block")
                .Named(_project).Named($"{_project}.1");
        }
    }
}
