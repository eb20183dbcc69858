using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.ResNet (He et al. 2016) and its ResNeXt and Wide ResNet variants: conv1/bn1/relu/maxpool, four
/// stages of BasicBlock or Bottleneck blocks (stride 2 in the first block of stages 2–4), global average pool, fc.
/// Block type, blocks per stage, groups and widths come from the weights. Tape names: <c>bn1</c>, <c>relu</c>,
/// <c>maxpool</c>, per block <c>layerS.B.bn1</c> … <c>bn3</c>, <c>layerS.B.downsample.1</c> (alias
/// <c>layerS.B.downsample</c>), the block output <c>layerS.B</c> (the last block's also <c>layerS</c>), <c>fc</c>.
/// A block's <c>relu</c> module runs 2 (Basic) or 3 (Bottleneck) times: <c>layerS.B.relu</c> is its FIRST call's
/// output, the one pytorch-grad-cam pairs with a module watched this way (docs/classifiers.md); the later calls are
/// <c>layerS.B.relu#2</c> and <c>#3</c> (the last one is the block output).
/// </summary>
public sealed class ResNet : ClassifierModel
{
    readonly ConvBn _stem;
    readonly Block[][] _stages;
    readonly Linear? _fc;

    internal ResNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        int width = ArchInference.Shape(shapes, "conv1.weight")[0];
        _stem = Add(new ConvBn(ctx, "conv1", "bn1", 3, width, 7, 2, 3));
        int cin = width;
        _stages = new Block[4][];
        for (int s = 0; s < 4; s++)
        {
            int n = ArchInference.Count(shapes, $"layer{s + 1}.", "conv1.weight");
            _stages[s] = new Block[n];
            for (int b = 0; b < n; b++)
            {
                var block = new Block(ctx, this, $"layer{s + 1}.{b}", shapes, cin, s > 0 && b == 0 ? 2 : 1);
                _stages[s][b] = block;
                cin = block.Out;
            }
        }
        // A detector's backbone (torchvision's BackboneWithFPN keeps conv1 … layer4) has no fc.
        if (shapes.ContainsKey("fc.weight")) _fc = Add(new Linear(ctx, "fc", cin, ArchInference.Shape(shapes, "fc.weight")[0]));
        StageChannels = _stages.Select(stage => stage[^1].Out).ToArray();
    }

    /// <summary>
    /// The body without the classifier head (conv1 … layer4), as a detector's backbone uses it: weights by the same
    /// names (the caller strips its prefix, e.g. <c>backbone.body.</c>), no <c>fc</c>.
    /// </summary>
    public static ResNet Body(BuildContext ctx, IReadOnlyDictionary<string, int[]> shapes)
    {
        var blocks = Enumerable.Range(1, 4).Select(s => ArchInference.Count(shapes, $"layer{s}.", "conv1.weight")).ToArray();
        if (blocks.Any(n => n == 0)) throw new InvalidDataException($"resnet backbone has an empty stage (blocks per stage: {string.Join(", ", blocks)})");
        string kind = shapes.ContainsKey("layer1.0.conv3.weight") ? "Bottleneck" : "BasicBlock";
        var arch = new ClassifierArch(ClassifierFamily.ResNet, "resnet body", 0, $"{kind} [{string.Join(", ", blocks)}], no fc");
        return new ResNet(ctx, arch, shapes);
    }

    /// <summary>Output channels of layer1 … layer4.</summary>
    public IReadOnlyList<int> StageChannels { get; }

    /// <summary>The outputs of layer1 … layer4 (strides 4, 8, 16, 32), named as in <see cref="Forward"/>.</summary>
    public Var[] ForwardStages(Var image)
    {
        CheckInput(image, "ResNet");
        var x = InPlaceRelu.Apply(_stem.Forward(image), "bn1", "relu");
        x = Ops.MaxPool2d(x, 3, 2, 1).Named("maxpool");
        var outputs = new Var[4];
        for (int s = 0; s < 4; s++)
        {
            foreach (var block in _stages[s]) x = block.Forward(x);
            outputs[s] = x = x.Named($"layer{s + 1}");
        }
        return outputs;
    }

    /// <inheritdoc/>
    public override string DefaultLayer => "layer4";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => _fc is null ? null : ("layer4", _fc.Weight);

    /// <summary>The ResNet/ResNeXt/Wide ResNet a state dict is.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var blocks = Enumerable.Range(1, 4).Select(s => ArchInference.Count(shapes, $"layer{s}.", "conv1.weight")).ToArray();
        if (blocks.Any(n => n == 0)) throw new InvalidDataException($"resnet checkpoint has an empty stage (blocks per stage: {string.Join(", ", blocks)})");
        bool bottleneck = shapes.ContainsKey("layer1.0.conv3.weight");
        int classes = ArchInference.Shape(shapes, "fc.weight")[0];
        string layers = $"[{string.Join(", ", blocks)}]";
        if (!bottleneck)
        {
            string basicName = layers switch { "[2, 2, 2, 2]" => "resnet18", "[3, 4, 6, 3]" => "resnet34", _ => "resnet (custom)" };
            return new ClassifierArch(ClassifierFamily.ResNet, basicName, classes, $"BasicBlock {layers}, {classes} classes");
        }
        var conv2 = ArchInference.Shape(shapes, "layer1.0.conv2.weight");
        int groups = conv2[0] / conv2[1];
        int widthPerGroup = conv2[0] * 64 / (64 * groups); // planes = 64 in stage 1: width = 64 · (wpg / 64) · groups
        string name = (layers, groups, widthPerGroup) switch
        {
            ("[3, 4, 6, 3]", 1, 64) => "resnet50",
            ("[3, 4, 23, 3]", 1, 64) => "resnet101",
            ("[3, 8, 36, 3]", 1, 64) => "resnet152",
            ("[3, 4, 6, 3]", 32, 4) => "resnext50_32x4d",
            ("[3, 4, 23, 3]", 32, 8) => "resnext101_32x8d",
            ("[3, 4, 23, 3]", 64, 4) => "resnext101_64x4d",
            ("[3, 4, 6, 3]", 1, 128) => "wide_resnet50_2",
            ("[3, 4, 23, 3]", 1, 128) => "wide_resnet101_2",
            _ => "resnet (custom)",
        };
        return new ClassifierArch(ClassifierFamily.ResNet, name, classes,
            $"Bottleneck {layers}, groups {groups}, width {conv2[0]} in stage 1, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        if (_fc is null) throw new InvalidOperationException("this ResNet is a detector's body: it has no fc (use ForwardStages)");
        return _fc.Forward(GlobalAvgPool.Apply(ForwardStages(image)[3]));
    }

    /// <summary>BasicBlock (two 3×3 convs) or Bottleneck (1×1, grouped 3×3 with the stride, 1×1), plus the shortcut.</summary>
    sealed class Block
    {
        readonly string _path;
        readonly ConvBn[] _convs;
        readonly ConvBn? _downsample;

        public Block(BuildContext ctx, ResNet owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, int stride)
        {
            _path = path;
            bool bottleneck = shapes.ContainsKey($"{path}.conv3.weight");
            var w1 = ArchInference.Shape(shapes, $"{path}.conv1.weight");
            var w2 = ArchInference.Shape(shapes, $"{path}.conv2.weight");
            if (w1.Length != 4 || w2.Length != 4 || w2[1] == 0 || w2[0] % w2[1] != 0)
                throw new InvalidDataException($"{path}: conv weights [{string.Join(", ", w1)}] and [{string.Join(", ", w2)}] are not a ResNet block's");
            if (bottleneck)
            {
                int width = w1[0], groups = w2[0] / w2[1];
                int cout = ArchInference.Shape(shapes, $"{path}.conv3.weight")[0];
                _convs =
                [
                    owner.Add(new ConvBn(ctx, $"{path}.conv1", $"{path}.bn1", cin, width, 1, 1, 0)),
                    owner.Add(new ConvBn(ctx, $"{path}.conv2", $"{path}.bn2", width, width, 3, stride, 1, groups)),
                    owner.Add(new ConvBn(ctx, $"{path}.conv3", $"{path}.bn3", width, cout, 1, 1, 0)),
                ];
                Out = cout;
            }
            else
            {
                int planes = w1[0];
                _convs =
                [
                    owner.Add(new ConvBn(ctx, $"{path}.conv1", $"{path}.bn1", cin, planes, 3, stride, 1)),
                    owner.Add(new ConvBn(ctx, $"{path}.conv2", $"{path}.bn2", planes, planes, 3, 1, 1)),
                ];
                Out = planes;
            }
            if (shapes.ContainsKey($"{path}.downsample.0.weight"))
                _downsample = owner.Add(new ConvBn(ctx, $"{path}.downsample.0", $"{path}.downsample.1", cin, Out, 1, stride, 0));
            else if (stride != 1 || cin != Out)
                throw new InvalidDataException($"{path} changes the shape ({cin} → {Out} channels, stride {stride}) but has no downsample");
        }

        public int Out { get; }

        public Var Forward(Var x)
        {
            var y = x;
            for (int i = 0; i < _convs.Length; i++)
            {
                y = _convs[i].Forward(y);
                if (i < _convs.Length - 1) y = InPlaceRelu.Apply(y, _convs[i].Path, i == 0 ? $"{_path}.relu" : $"{_path}.relu#{i + 1}");
            }
            var identity = _downsample is null ? x : _downsample.Forward(x).Named($"{_path}.downsample");
            // out += identity; relu(out) as one pass: the sum was never a watchable layer (PyTorch's add is in place),
            // and the ReLU's output, relu#N and the block, is the op's.
            return Ops.AddRelu(y, identity).Named($"{_path}.relu#{_convs.Length}").Named(_path);
        }
    }
}
