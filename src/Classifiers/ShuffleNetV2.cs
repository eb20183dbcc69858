using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.ShuffleNetV2 (Ma et al. 2018), any stage repeats and widths (shufflenet_v2_x0_5 … x2_0):
/// <c>conv1</c> (3×3 stride-2 conv-BN-ReLU), <c>maxpool</c>, <c>stage2</c>–<c>stage4</c> of blocks <c>stageS.B</c>
/// (the first of a stage has stride 2 and two branches, <c>branch1</c> depthwise-BN-conv-BN-ReLU and <c>branch2</c>
/// conv-BN-ReLU-depthwise-BN-conv-BN-ReLU, concatenated; the others split the channels in half and run
/// <c>branch2</c> on the second half), each followed by a channel shuffle of 2 groups; <c>conv5</c> (1×1
/// conv-BN-ReLU), the spatial mean, <c>fc</c>. Everything is read from the keys and shapes.
/// </summary>
public sealed class ShuffleNetV2 : ClassifierModel
{
    readonly (ConvBn Conv, string Relu) _conv1, _conv5;
    readonly Block[] _blocks;
    readonly Linear _fc;

    internal ShuffleNetV2(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        int c = ArchInference.Shape(shapes, "conv1.0.weight")[0];
        _conv1 = (Add(new ConvBn(ctx, "conv1.0", "conv1.1", 3, c, 3, 2, 1)), "conv1.2");
        var blocks = new List<Block>();
        for (int s = 2; s <= 4; s++)
            for (int b = 0; shapes.ContainsKey($"stage{s}.{b}.branch2.0.weight"); b++)
            {
                blocks.Add(new Block(ctx, this, $"stage{s}.{b}", shapes, c, b == 0));
                c = blocks[^1].Out;
            }
        _blocks = [.. blocks];
        int last = ArchInference.Shape(shapes, "conv5.0.weight")[0];
        _conv5 = (Add(new ConvBn(ctx, "conv5.0", "conv5.1", c, last, 1, 1, 0)), "conv5.2");
        _fc = Add(new Linear(ctx, "fc", last, arch.Classes));
    }

    /// <inheritdoc/>
    public override string DefaultLayer => "conv5";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => ("conv5", _fc.Weight);

    /// <summary>A ShuffleNetV2 state dict's architecture: blocks per stage and widths.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        var repeats = new int[3];
        var widths = new int[5];
        widths[0] = ArchInference.Shape(shapes, "conv1.0.weight")[0];
        for (int s = 2; s <= 4; s++)
        {
            while (shapes.ContainsKey($"stage{s}.{repeats[s - 2]}.branch2.0.weight")) repeats[s - 2]++;
            if (repeats[s - 2] == 0 || !shapes.ContainsKey($"stage{s}.0.branch1.0.weight"))
                throw new InvalidDataException($"shufflenet_v2 checkpoint has no stage{s}.0 with two branches");
            widths[s - 1] = 2 * ArchInference.Shape(shapes, $"stage{s}.0.branch2.0.weight")[0];
        }
        widths[4] = ArchInference.Shape(shapes, "conv5.0.weight")[0];
        int classes = ArchInference.Shape(shapes, "fc.weight")[0];
        string name = repeats.SequenceEqual([4, 8, 4]) ? widths[1..] switch
        {
            [48, 96, 192, 1024] => "shufflenet_v2_x0_5",
            [116, 232, 464, 1024] => "shufflenet_v2_x1_0",
            [176, 352, 704, 1024] => "shufflenet_v2_x1_5",
            [244, 488, 976, 2048] => "shufflenet_v2_x2_0",
            _ => "shufflenet_v2 (custom)",
        } : "shufflenet_v2 (custom)";
        return new ClassifierArch(ClassifierFamily.ShuffleNetV2, name, classes,
            $"stages [{string.Join(", ", repeats)}], widths [{string.Join(", ", widths)}], {classes} classes");
    }

    static Var Run((ConvBn Conv, string Relu) cbr, Var x) => InPlaceRelu.Apply(cbr.Conv.Forward(x), cbr.Conv.Path, cbr.Relu);

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "ShuffleNetV2");
        var x = Run(_conv1, image).Named("conv1");
        x = Ops.MaxPool2d(x, 3, 2, 1).Named("maxpool");
        foreach (var block in _blocks) x = block.Forward(x);
        x = Run(_conv5, x).Named("conv5");
        return _fc.Forward(GlobalAvgPool.Apply(x));
    }

    /// <summary>torchvision's shufflenetv2.InvertedResidual.</summary>
    sealed class Block
    {
        readonly string _path;
        readonly ConvBn? _b1Depthwise, _b1Conv;
        readonly ConvBn _b2Conv1, _b2Depthwise, _b2Conv2;
        readonly int _half;

        public Block(BuildContext ctx, ShuffleNetV2 owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin, bool first)
        {
            _path = path;
            int branch = ArchInference.Shape(shapes, $"{path}.branch2.0.weight")[0];
            int stride = first ? 2 : 1;
            if (first)
            {
                _b1Depthwise = owner.Add(new ConvBn(ctx, $"{path}.branch1.0", $"{path}.branch1.1", cin, cin, 3, 2, 1, cin));
                _b1Conv = owner.Add(new ConvBn(ctx, $"{path}.branch1.2", $"{path}.branch1.3", cin, branch, 1, 1, 0));
            }
            else if (cin != 2 * branch)
                throw new InvalidDataException($"shufflenet_v2: {path} splits {cin} channels but its branch is {branch} wide");
            _half = cin / 2;
            _b2Conv1 = owner.Add(new ConvBn(ctx, $"{path}.branch2.0", $"{path}.branch2.1", first ? cin : branch, branch, 1, 1, 0));
            _b2Depthwise = owner.Add(new ConvBn(ctx, $"{path}.branch2.3", $"{path}.branch2.4", branch, branch, 3, stride, 1, branch));
            _b2Conv2 = owner.Add(new ConvBn(ctx, $"{path}.branch2.5", $"{path}.branch2.6", branch, branch, 1, 1, 0));
            Out = 2 * branch;
        }

        public int Out { get; }

        Var Branch2(Var x)
        {
            var y = InPlaceRelu.Apply(_b2Conv1.Forward(x), _b2Conv1.Path, $"{_path}.branch2.2");
            y = _b2Depthwise.Forward(y);
            return InPlaceRelu.Apply(_b2Conv2.Forward(y), _b2Conv2.Path, $"{_path}.branch2.7").Named($"{_path}.branch2");
        }

        public Var Forward(Var x)
        {
            Var y;
            if (_b1Depthwise is null) y = Ops.Concat(Ops.Narrow(x, 1, 0, _half), Branch2(Ops.Narrow(x, 1, _half, _half)));
            else
            {
                var b1 = InPlaceRelu.Apply(_b1Conv!.Forward(_b1Depthwise.Forward(x)), _b1Conv.Path, $"{_path}.branch1.4").Named($"{_path}.branch1");
                y = Ops.Concat(b1, Branch2(x));
            }
            return ChannelShuffle.Apply(y, 2).Named(_path);
        }
    }
}
