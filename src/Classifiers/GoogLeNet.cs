using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.GoogLeNet (Szegedy et al. 2015), key for key: <c>conv1</c> (7×7 stride 2), <c>maxpool1</c>,
/// <c>conv2</c> (1×1), <c>conv3</c> (3×3), <c>maxpool2</c>, <c>inception3a</c>/<c>3b</c>, <c>maxpool3</c>,
/// <c>inception4a</c>–<c>4e</c>, <c>maxpool4</c> (2×2), <c>inception5a</c>/<c>5b</c>, the spatial mean, <c>fc</c>. Every max
/// pool has ceil_mode=True. An Inception block concatenates <c>branch1</c> (1×1), <c>branch2</c> (1×1, 3×3),
/// <c>branch3</c> (1×1, 3×3: torchvision's kernel, not the paper's 5×5) and <c>branch4</c> (3×3 stride-1 max pool
/// <c>branch4.0</c>, 1×1 <c>branch4.1</c>); every conv is a <see cref="BasicConv2d"/>, widths and class count from the
/// weights. The auxiliary heads <c>aux1</c>/<c>aux2</c> run only in training: their tensors are accepted and not used.
/// <see cref="TransformInput"/> is torchvision's transform_input (default on).
/// </summary>
public sealed class GoogLeNet : ClassifierModel, ITransformInput
{
    static readonly string[] Blocks = ["inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e",
        "inception5a", "inception5b"];

    readonly InputRenormalisation _transform;
    readonly BasicConv2d _conv1, _conv2, _conv3;
    readonly Block[] _blocks;
    readonly Linear _fc;

    internal GoogLeNet(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        _transform = Add(new InputRenormalisation(ctx.Device));
        _conv1 = new BasicConv2d(ctx, this, "conv1", shapes, 3, 7, 2, 3);
        _conv2 = new BasicConv2d(ctx, this, "conv2", shapes, _conv1.Out, 1);
        _conv3 = new BasicConv2d(ctx, this, "conv3", shapes, _conv2.Out, 3, 1, 1);
        int c = _conv3.Out;
        _blocks = new Block[Blocks.Length];
        for (int i = 0; i < Blocks.Length; i++)
        {
            _blocks[i] = new Block(ctx, this, Blocks[i], shapes, c);
            c = _blocks[i].Out;
        }
        _fc = Add(new Linear(ctx, "fc", c, arch.Classes));
        foreach (var key in ctx.Weights.Keys.Where(k => k.StartsWith("aux1.", StringComparison.Ordinal) || k.StartsWith("aux2.", StringComparison.Ordinal)).ToList())
            ctx.Weights.Take(key, null);
    }

    /// <inheritdoc/>
    public bool TransformInput { get; set; } = true;

    /// <inheritdoc/>
    public override string DefaultLayer => "inception5b";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => ("inception5b", _fc.Weight);

    /// <summary>A GoogLeNet state dict's architecture: googlenet when every width is torchvision's.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        foreach (var block in Blocks)
            ArchInference.Shape(shapes, $"{block}.branch1.conv.weight");
        int classes = ArchInference.Shape(shapes, "fc.weight")[0];
        int stem = ArchInference.Shape(shapes, "conv1.conv.weight")[0];
        int features = ArchInference.Shape(shapes, "fc.weight")[1];
        bool aux = shapes.ContainsKey("aux1.fc2.weight");
        string name = (stem, features) == (64, 1024) ? "googlenet" : "googlenet (custom)";
        return new ClassifierArch(ClassifierFamily.GoogLeNet, name, classes,
            $"stem width {stem}, {features} features, {(aux ? "aux heads (unused)" : "no aux heads")}, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "GoogLeNet");
        if (Math.Min(Pooled(image.Shape[2]), Pooled(image.Shape[3])) < 1)
            throw new InputTooSmallException($"GoogLeNet: input {image.Shape[2]}x{image.Shape[3]} is too small (its max pools leave no pixel)");
        var x = TransformInput ? _transform.Forward(image) : image;
        x = Ops.MaxPool2d(_conv1.Forward(x), 3, 2, 0, ceilMode: true).Named("maxpool1");
        x = _conv3.Forward(_conv2.Forward(x));
        x = Ops.MaxPool2d(x, 3, 2, 0, ceilMode: true).Named("maxpool2");
        for (int i = 0; i < _blocks.Length; i++)
        {
            x = _blocks[i].Forward(x);
            if (Blocks[i] == "inception3b") x = Ops.MaxPool2d(x, 3, 2, 0, ceilMode: true).Named("maxpool3");
            if (Blocks[i] == "inception4e") x = Ops.MaxPool2d(x, 2, 2, 0, ceilMode: true).Named("maxpool4");
        }
        return _fc.Forward(GlobalAvgPool.Apply(x));
    }

    // The size after conv1 (7×7 stride 2, padding 3) and the four ceil-mode max pools (3, 3, 3 and 2 wide, stride 2).
    static int Pooled(int size)
    {
        size = (size - 1) / 2 + 1;
        foreach (int k in new[] { 3, 3, 3, 2 })
            if (size >= 1) size = PoolGeometry.OutputSize(size, k, 2, 0, ceilMode: true);
        return size;
    }

    /// <summary>torchvision's googlenet.Inception.</summary>
    sealed class Block
    {
        readonly string _path;
        readonly BasicConv2d _b1, _b2a, _b2b, _b3a, _b3b, _b4;

        public Block(BuildContext ctx, GoogLeNet owner, string path, IReadOnlyDictionary<string, int[]> shapes, int cin)
        {
            _path = path;
            _b1 = new BasicConv2d(ctx, owner, $"{path}.branch1", shapes, cin, 1);
            _b2a = new BasicConv2d(ctx, owner, $"{path}.branch2.0", shapes, cin, 1);
            _b2b = new BasicConv2d(ctx, owner, $"{path}.branch2.1", shapes, _b2a.Out, 3, 1, 1);
            _b3a = new BasicConv2d(ctx, owner, $"{path}.branch3.0", shapes, cin, 1);
            _b3b = new BasicConv2d(ctx, owner, $"{path}.branch3.1", shapes, _b3a.Out, 3, 1, 1);
            _b4 = new BasicConv2d(ctx, owner, $"{path}.branch4.1", shapes, cin, 1);
            Out = _b1.Out + _b2b.Out + _b3b.Out + _b4.Out;
        }

        public int Out { get; }

        public Var Forward(Var x)
        {
            var b1 = _b1.Forward(x);
            var b2 = _b2b.Forward(_b2a.Forward(x)).Named($"{_path}.branch2");
            var b3 = _b3b.Forward(_b3a.Forward(x)).Named($"{_path}.branch3");
            var pooled = Ops.MaxPool2d(x, 3, 1, 1, ceilMode: true).Named($"{_path}.branch4.0");
            var b4 = _b4.Forward(pooled).Named($"{_path}.branch4");
            return Ops.Concat(b1, b2, b3, b4).Named(_path);
        }
    }
}
