using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.ConvNeXt (Liu et al. 2022): convnext_tiny/small/base/large and any block_setting.
/// <c>features.0</c> stem (<c>.0</c> 4×4 stride-4 conv with bias, <c>.1</c> LayerNorm2d), then stages
/// <c>features.1, 3, 5, …</c> of CNBlocks <c>features.S.B</c> with a downsampling <c>features.S+1</c> (<c>.0</c>
/// LayerNorm2d, <c>.1</c> 2×2 stride-2 conv) between them; global average pool, <c>classifier.0</c> LayerNorm2d,
/// <c>classifier.1</c> Flatten, <c>classifier.2</c> Linear. Every LayerNorm has torchvision's eps 1e-6 (not in a state
/// dict). All of the layout — depths, widths, kernel sizes — is in the keys and shapes.
/// </summary>
public sealed class ConvNeXt : ClassifierModel
{
    const double Eps = 1e-6;

    // convnext_tiny, small, base, large: blocks and widths per stage
    static readonly (string Name, int[] Blocks, int[] Widths)[] Variants =
    [
        ("convnext_tiny", [3, 3, 9, 3], [96, 192, 384, 768]),
        ("convnext_small", [3, 3, 27, 3], [96, 192, 384, 768]),
        ("convnext_base", [3, 3, 27, 3], [128, 256, 512, 1024]),
        ("convnext_large", [3, 3, 27, 3], [192, 384, 768, 1536]),
    ];

    readonly Conv2d _stem;
    readonly LayerNorm2d _stemNorm, _headNorm;
    readonly List<(string Path, Func<Var, Var> Forward)> _features = [];
    readonly Linear _classifier;

    internal ConvNeXt(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        var (blocks, widths, downsamples) = Read(shapes);
        var stem = ArchInference.Shape(shapes, "features.0.0.weight");
        if (stem is not [_, 3, var k, var kw] || k != kw)
            throw new InvalidDataException($"convnext: features.0.0.weight is {Tensor.Format(stem)}, expected a square stem conv of 3 channels");
        _stem = Add(new Conv2d(ctx, "features.0.0", 3, stem[0], (k, k), (k, k), (0, 0)));
        _stemNorm = Add(new LayerNorm2d(ctx, "features.0.1", stem[0], Eps));
        int c = stem[0], at = 1;
        for (int s = 0; s < blocks.Length; s++, at++)
        {
            if (widths[s] != c) throw new InvalidDataException($"convnext: features.{at} is {widths[s]} channels wide after {c}");
            for (int b = 0; b < blocks[s]; b++)
            {
                var block = new CNBlock(ctx, this, $"features.{at}.{b}", shapes, c);
                _features.Add(($"features.{at}", block.Forward));
            }
            if (s >= downsamples) continue;
            at++;
            var down = ArchInference.Shape(shapes, $"features.{at}.1.weight");
            var norm = Add(new LayerNorm2d(ctx, $"features.{at}.0", c, Eps));
            var conv = Add(new Conv2d(ctx, $"features.{at}.1", c, down[0], (2, 2), (2, 2), (0, 0)));
            _features.Add(($"features.{at}", x => conv.Forward(norm.Forward(x))));
            c = down[0];
        }
        DefaultLayer = $"features.{at - 1}";
        _headNorm = Add(new LayerNorm2d(ctx, "classifier.0", c, Eps));
        _classifier = Add(new Linear(ctx, "classifier.2", c, arch.Classes));
    }

    /// <inheritdoc/>
    public override string DefaultLayer { get; }

    /// <summary>Blocks and width per stage, and how many downsampling layers follow a stage (one after each but the
    /// last in torchvision's builders; a block_setting ending in out_channels has one after the last too).</summary>
    static (int[] Blocks, int[] Widths, int Downsamples) Read(IReadOnlyDictionary<string, int[]> shapes)
    {
        var blocks = new List<int>();
        var widths = new List<int>();
        int downsamples = 0, at = 1;
        while (shapes.ContainsKey($"features.{at}.0.block.0.weight"))
        {
            widths.Add(ArchInference.Shape(shapes, $"features.{at}.0.block.0.weight")[0]);
            blocks.Add(ArchInference.Count(shapes, $"features.{at}.", "block.0.weight"));
            if (!shapes.ContainsKey($"features.{at + 1}.1.weight")) break;
            downsamples++;
            at += 2;
        }
        if (blocks.Count == 0) throw new InvalidDataException("convnext checkpoint has no CNBlock at features.1.0");
        return (blocks.ToArray(), widths.ToArray(), downsamples);
    }

    /// <summary>A ConvNeXt state dict's architecture: blocks and widths per stage, and the torchvision builder that
    /// makes exactly those, else <c>convnext (custom)</c>.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var (blocks, widths, downsamples) = Read(shapes);
        int classes = ArchInference.Shape(shapes, "classifier.2.weight")[0];
        string name = downsamples == blocks.Length - 1
            ? Variants.FirstOrDefault(v => v.Blocks.SequenceEqual(blocks) && v.Widths.SequenceEqual(widths)).Name ?? "convnext (custom)"
            : "convnext (custom)";
        return new ClassifierArch(ClassifierFamily.ConvNeXt, name, classes,
            $"blocks [{string.Join(", ", blocks)}], widths [{string.Join(", ", widths)}], {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "ConvNeXt");
        var x = _stemNorm.Forward(_stem.Forward(image)).Named("features.0");
        foreach (var (path, forward) in _features) x = forward(x).Named(path);
        x = x.Named("features");
        x = _headNorm.Forward(Ops.Mean(x, [2, 3], keepDim: true).Named("avgpool"));
        x = Ops.Reshape(x, x.Shape[0], x.Shape[1]).Named("classifier.1");
        return _classifier.Forward(x);
    }

    /// <summary>
    /// torchvision's convnext.CNBlock at <c>path</c>: <c>.block.0</c> depthwise k×k conv with bias, <c>.block.1</c>
    /// permute to channels-last, <c>.block.2</c> LayerNorm over channels, <c>.block.3</c> Linear C → 4C, <c>.block.4</c>
    /// exact (erf) GELU, <c>.block.5</c> Linear 4C → C, <c>.block.6</c> permute back; times <c>.layer_scale</c> [C, 1, 1],
    /// plus the input (stochastic depth is the identity in eval; its output is the sum, added in place).
    /// <c>.block.1</c> … <c>.block.5</c> are channels-last [1, H, W, C] tensors, as in PyTorch.
    /// </summary>
    sealed class CNBlock
    {
        readonly string _path;
        readonly Conv2d _dw;
        readonly LayerNorm _norm;
        readonly Linear _fc1, _fc2;
        readonly Var _scale;

        public CNBlock(BuildContext ctx, ConvNeXt owner, string path, IReadOnlyDictionary<string, int[]> shapes, int c)
        {
            _path = path;
            var w = ArchInference.Shape(shapes, $"{path}.block.0.weight");
            if (w is not [_, 1, var k, var kw] || k != kw || k % 2 == 0)
                throw new InvalidDataException($"convnext: {path}.block.0.weight is {Tensor.Format(w)}, expected a square odd depthwise conv of {c} channels");
            _dw = owner.Add(new Conv2d(ctx, $"{path}.block.0", c, c, (k, k), (1, 1), ((k - 1) / 2, (k - 1) / 2), c));
            _norm = owner.Add(new LayerNorm(ctx, $"{path}.block.2", c, Eps));
            int hidden = ArchInference.Shape(shapes, $"{path}.block.3.weight")[0];
            _fc1 = owner.Add(new Linear(ctx, $"{path}.block.3", c, hidden));
            _fc2 = owner.Add(new Linear(ctx, $"{path}.block.5", hidden, c));
            var scale = ctx.Weights.Take($"{path}.layer_scale", c, 1, 1);
            // [C, 1, 1] scales the channels of a [1, C, H, W] output: held as [1, C, 1, 1], the engine's broadcasting rule
            _scale = owner.Add(new Constant(ctx.Device, $"{path}.layer_scale", new HostTensor(scale.Data, [1, c, 1, 1]))).Value;
        }

        public Var Forward(Var x)
        {
            var y = Ops.Permute(_dw.Forward(x), 0, 2, 3, 1).Named($"{_path}.block.1");
            y = _fc1.Forward(_norm.Forward(y));
            y = _fc2.Forward(Ops.Gelu(y).Named($"{_path}.block.4"));
            y = Ops.Permute(y, 0, 3, 1, 2).Named($"{_path}.block.6").Named($"{_path}.block");
            return Ops.Add(Ops.Mul(y, _scale), x).Named(_path).Named($"{_path}.stochastic_depth");
        }
    }

    /// <summary>A parameter that is no layer (CNBlock's layer_scale), held as a module so the model frees it.</summary>
    sealed class Constant : Module
    {
        public Constant(Device device, string path, HostTensor value) : base(path) => Value = Parameter(device, value);

        public Var Value { get; }

        public override Var Forward(Var x) => throw new NotSupportedException($"{Path} is a parameter, not a layer");
    }
}
