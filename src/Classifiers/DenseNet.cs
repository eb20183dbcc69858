using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.DenseNet (Huang et al. 2017): conv0/norm0/relu0/pool0, dense blocks (each layer: BatchNorm,
/// ReLU, 1×1 conv, BatchNorm, ReLU, 3×3 conv on the concatenation of all earlier features) with transitions
/// (BatchNorm, ReLU, 1×1 conv, 2×2 average pool) between them, norm5, then ReLU, global average pool and classifier.
/// Growth rate, bottleneck width, initial features and layers per block come from the weights. Tape names: every
/// module under <c>features.</c> (<c>features.denseblock2.denselayer3.relu2</c>; a dense layer's output is its
/// new features, a block's the concatenation), <c>features.norm5</c> (holding the ReLU'd values, as PyTorch hooks see it), <c>classifier</c>.
/// A conv followed by a BatchNorm (conv0/norm0, conv1/norm2) is folded and carries the BatchNorm's name.
/// </summary>
public sealed class DenseNet : ClassifierModel
{
    readonly ConvBn _stem;
    readonly List<(DenseLayer[] Layers, Transition? Transition)> _blocks = [];
    readonly BatchNorm2d _norm5;
    readonly Linear _classifier;

    internal DenseNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        int c = ArchInference.Shape(shapes, "features.conv0.weight")[0];
        _stem = Add(new ConvBn(ctx, "features.conv0", "features.norm0", 3, c, 7, 2, 3));
        for (int b = 1; shapes.ContainsKey($"features.denseblock{b}.denselayer1.conv1.weight"); b++)
        {
            var layers = new List<DenseLayer>();
            for (int l = 1; shapes.ContainsKey($"features.denseblock{b}.denselayer{l}.conv1.weight"); l++)
            {
                var layer = new DenseLayer(ctx, this, $"features.denseblock{b}.denselayer{l}", shapes, c);
                layers.Add(layer);
                c += layer.Growth;
            }
            Transition? transition = null;
            if (shapes.ContainsKey($"features.transition{b}.conv.weight"))
            {
                transition = new Transition(ctx, this, $"features.transition{b}", shapes, c);
                c = transition.Out;
            }
            _blocks.Add((layers.ToArray(), transition));
        }
        _norm5 = Add(new BatchNorm2d(ctx, "features.norm5", c));
        int classes = ArchInference.Shape(shapes, "classifier.weight")[0];
        _classifier = Add(new Linear(ctx, "classifier", c, classes));
    }

    /// <inheritdoc/>
    public override string DefaultLayer => "features.norm5";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => ("features.norm5", _classifier.Weight);

    /// <summary>The DenseNet a state dict is: densenet121/161/169/201 by growth rate, block configuration and initial features.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var config = new List<int>();
        for (int b = 1; shapes.ContainsKey($"features.denseblock{b}.denselayer1.conv1.weight"); b++)
        {
            int l = 0;
            while (shapes.ContainsKey($"features.denseblock{b}.denselayer{l + 1}.conv1.weight")) l++;
            config.Add(l);
        }
        int growth = ArchInference.Shape(shapes, "features.denseblock1.denselayer1.conv2.weight")[0];
        int init = ArchInference.Shape(shapes, "features.conv0.weight")[0];
        int classes = ArchInference.Shape(shapes, "classifier.weight")[0];
        string blocks = $"[{string.Join(", ", config)}]";
        string name = (growth, blocks, init) switch
        {
            (32, "[6, 12, 24, 16]", 64) => "densenet121",
            (48, "[6, 12, 36, 24]", 96) => "densenet161",
            (32, "[6, 12, 32, 32]", 64) => "densenet169",
            (32, "[6, 12, 48, 32]", 64) => "densenet201",
            _ => "densenet (custom)",
        };
        return new ClassifierArch(ClassifierFamily.DenseNet, name, classes, $"growth {growth}, blocks {blocks}, {init} initial features, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "DenseNet");
        var x = InPlaceRelu.Apply(_stem.Forward(image), "features.norm0", "features.relu0");
        x = Ops.MaxPool2d(x, 3, 2, 1).Named("features.pool0");
        for (int b = 0; b < _blocks.Count; b++)
        {
            var features = new List<Var> { x };
            foreach (var layer in _blocks[b].Layers) features.Add(layer.Forward(Ops.Concat([.. features])));
            x = Ops.Concat([.. features]).Named($"features.denseblock{b + 1}");
            if (_blocks[b].Transition is { } t) x = t.Forward(x);
        }
        // F.relu(features, inplace=True) overwrites norm5's output: hooks on norm5 (features[-1]) see the ReLU'd values.
        x = InPlaceRelu.Apply(_norm5.Forward(x), "features.norm5", "features.norm5#relu");
        return _classifier.Forward(GlobalAvgPool.Apply(x));
    }

    sealed class DenseLayer
    {
        readonly string _path;
        readonly BatchNorm2d _norm1;
        readonly ConvBn _conv1;
        readonly Conv2d _conv2;

        public DenseLayer(BuildContext ctx, DenseNet owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin)
        {
            _path = path;
            int width = ArchInference.Shape(shapes, $"{path}.conv1.weight")[0];
            Growth = ArchInference.Shape(shapes, $"{path}.conv2.weight")[0];
            _norm1 = owner.Add(new BatchNorm2d(ctx, $"{path}.norm1", cin));
            _conv1 = owner.Add(new ConvBn(ctx, $"{path}.conv1", $"{path}.norm2", cin, width, 1, 1, 0));
            _conv2 = owner.Add(new Conv2d(ctx, $"{path}.conv2", width, Growth, (3, 3), (1, 1), (1, 1)));
        }

        public int Growth { get; }

        public Var Forward(Var concatenated)
        {
            var x = InPlaceRelu.Apply(_norm1.Forward(concatenated), $"{_path}.norm1", $"{_path}.relu1");
            x = InPlaceRelu.Apply(_conv1.Forward(x), $"{_path}.norm2", $"{_path}.relu2");
            return _conv2.Forward(x).Named(_path);
        }
    }

    sealed class Transition
    {
        readonly string _path;
        readonly BatchNorm2d _norm;
        readonly Conv2d _conv;
        readonly AvgPool2d _pool;

        public Transition(BuildContext ctx, DenseNet owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin)
        {
            _path = path;
            Out = ArchInference.Shape(shapes, $"{path}.conv.weight")[0];
            _norm = owner.Add(new BatchNorm2d(ctx, $"{path}.norm", cin));
            _conv = owner.Add(new Conv2d(ctx, $"{path}.conv", cin, Out, (1, 1), (1, 1), (0, 0)));
            _pool = owner.Add(new AvgPool2d(ctx.Device, $"{path}.pool", Out, 2));
        }

        public int Out { get; }

        public Var Forward(Var x)
        {
            x = InPlaceRelu.Apply(_norm.Forward(x), $"{_path}.norm", $"{_path}.relu");
            return _pool.Forward(_conv.Forward(x)).Named(_path);
        }
    }
}
