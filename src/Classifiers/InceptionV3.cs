using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Classifiers;

/// <summary>
/// torchvision.models.Inception3 (Szegedy et al. 2016), key for key: the stem <c>Conv2d_1a_3x3</c> … <c>Conv2d_4a_3x3</c>
/// with <c>maxpool1</c>/<c>maxpool2</c>, <c>Mixed_5b</c>–<c>5d</c> (InceptionA), <c>Mixed_6a</c> (B), <c>6b</c>–<c>6e</c>
/// (C), <c>7a</c> (D), <c>7b</c>/<c>7c</c> (E), the spatial mean, <c>fc</c>. Every conv is a <see cref="BasicConv2d"/>;
/// widths and the class count come from the weights, kernels, strides and paddings are the class's. The auxiliary head
/// <c>AuxLogits.*</c> (present in torchvision's files, unless built with aux_logits=False) runs only in training: its
/// tensors are accepted and not used. <see cref="TransformInput"/> is torchvision's transform_input (default on).
/// A block's output (the concatenation of its branches) is named by the block; the functional pools inside blocks
/// (no module in PyTorch) are named <c>{block}.avg_pool</c> (A, C, E) and left unnamed (max pools of B, D).
/// </summary>
public sealed class InceptionV3 : ClassifierModel, ITransformInput
{
    readonly InputRenormalisation _transform;
    readonly BasicConv2d[] _stem;
    readonly Func<Var, Var>[] _mixed;
    readonly Linear _fc;

    internal InceptionV3(BuildContext ctx, ClassifierArch arch, IReadOnlyDictionary<string, int[]> shapes) : base(arch)
    {
        _transform = Add(new InputRenormalisation(ctx.Device));
        var stem = new List<BasicConv2d>();
        int c = 3;
        BasicConv2d Stem(string name, int k, int s = 1, int p = 0)
        {
            stem.Add(new BasicConv2d(ctx, this, name, shapes, c, k, s, p));
            c = stem[^1].Out;
            return stem[^1];
        }
        Stem("Conv2d_1a_3x3", 3, 2);
        Stem("Conv2d_2a_3x3", 3);
        Stem("Conv2d_2b_3x3", 3, 1, 1);
        Stem("Conv2d_3b_1x1", 1);
        Stem("Conv2d_4a_3x3", 3);
        _stem = [.. stem];
        var mixed = new List<Func<Var, Var>>();
        foreach (var (name, kind) in new[] { ("Mixed_5b", 'A'), ("Mixed_5c", 'A'), ("Mixed_5d", 'A'), ("Mixed_6a", 'B'), ("Mixed_6b", 'C'),
                     ("Mixed_6c", 'C'), ("Mixed_6d", 'C'), ("Mixed_6e", 'C'), ("Mixed_7a", 'D'), ("Mixed_7b", 'E'), ("Mixed_7c", 'E') })
        {
            var (forward, width) = kind switch
            {
                'A' => BlockA(ctx, name, shapes, c),
                'B' => BlockB(ctx, name, shapes, c),
                'C' => BlockC(ctx, name, shapes, c),
                'D' => BlockD(ctx, name, shapes, c),
                _ => BlockE(ctx, name, shapes, c),
            };
            mixed.Add(forward);
            c = width;
        }
        _mixed = [.. mixed];
        _fc = Add(new Linear(ctx, "fc", c, arch.Classes));
        foreach (var key in ctx.Weights.Keys.Where(k => k.StartsWith("AuxLogits.", StringComparison.Ordinal)).ToList()) ctx.Weights.Take(key, null);
    }

    /// <inheritdoc/>
    public bool TransformInput { get; set; } = true;

    /// <inheritdoc/>
    public override string DefaultLayer => "Mixed_7c";

    /// <inheritdoc/>
    public override (string Layer, Var Weight)? PooledLinearHead => ("Mixed_7c", _fc.Weight);

    /// <summary>An Inception3 state dict's architecture: inception_v3 when every width is torchvision's.</summary>
    internal static ClassifierArch Infer(IReadOnlyDictionary<string, int[]> shapes)
    {
        int classes = ArchInference.Shape(shapes, "fc.weight")[0];
        int stem = ArchInference.Shape(shapes, "Conv2d_1a_3x3.conv.weight")[0];
        int c7 = ArchInference.Shape(shapes, "Mixed_6b.branch7x7_1.conv.weight")[0];
        int features = ArchInference.Shape(shapes, "fc.weight")[1];
        bool aux = shapes.ContainsKey("AuxLogits.fc.weight");
        string name = (stem, c7, features) == (32, 128, 2048) ? "inception_v3" : "inception_v3 (custom)";
        return new ClassifierArch(ClassifierFamily.InceptionV3, name, classes,
            $"stem width {stem}, Mixed_6b 7x7 width {c7}, {features} features, {(aux ? "aux head (unused)" : "no aux head")}, {classes} classes");
    }

    /// <inheritdoc/>
    public override Var Forward(Var image)
    {
        CheckInput(image, "Inception3");
        if (image.Shape[2] < 75 || image.Shape[3] < 75)
            throw new InputTooSmallException($"Inception3: input {image.Shape[2]}x{image.Shape[3]} is smaller than its 75x75 minimum");
        var x = TransformInput ? _transform.Forward(image) : image;
        x = _stem[0].Forward(x);
        x = _stem[1].Forward(x);
        x = _stem[2].Forward(x);
        x = Ops.MaxPool2d(x, 3, 2, 0).Named("maxpool1");
        x = _stem[3].Forward(x);
        x = _stem[4].Forward(x);
        x = Ops.MaxPool2d(x, 3, 2, 0).Named("maxpool2");
        foreach (var block in _mixed) x = block(x);
        return _fc.Forward(GlobalAvgPool.Apply(x));
    }

    // A chain of BasicConv2d: each takes the previous one's output (the first the block input of `cin` channels).
    (Func<Var, Var> Forward, int Out) Chain(BuildContext ctx, IReadOnlyDictionary<string, int[]> shapes, int cin,
        params (string Path, (int, int) Kernel, (int, int) Stride, (int, int) Padding)[] convs)
    {
        var built = new List<BasicConv2d>();
        foreach (var (path, k, s, p) in convs)
            built.Add(new BasicConv2d(ctx, this, path, shapes, built.Count == 0 ? cin : built[^1].Out, k, s, p));
        return (x => built.Aggregate(x, (y, conv) => conv.Forward(y)), built[^1].Out);
    }

    static readonly (int, int) One = (1, 1), Zero = (0, 0), Two = (2, 2);

    // The pooled branch of blocks A, C, E: F.avg_pool2d(x, 3, stride=1, padding=1) (padding counted), then a 1×1 conv.
    (Func<Var, Var> Forward, int Out) PoolBranch(BuildContext ctx, string block, IReadOnlyDictionary<string, int[]> shapes, int cin)
    {
        var pool = Add(new AvgPool2d(ctx.Device, $"{block}.avg_pool", cin, 3, 1, 1));
        var (conv, width) = Chain(ctx, shapes, cin, ($"{block}.branch_pool", One, One, Zero));
        return (x => conv(pool.Forward(x)), width);
    }

    static (Func<Var, Var>, int) Concat(string block, params (Func<Var, Var> Forward, int Out)[] branches) =>
        (x => Ops.Concat(branches.Select(b => b.Forward(x)).ToArray()).Named(block), branches.Sum(b => b.Out));

    (Func<Var, Var>, int) BlockA(BuildContext ctx, string b, IReadOnlyDictionary<string, int[]> s, int cin) => Concat(b,
        Chain(ctx, s, cin, ($"{b}.branch1x1", One, One, Zero)),
        Chain(ctx, s, cin, ($"{b}.branch5x5_1", One, One, Zero), ($"{b}.branch5x5_2", (5, 5), One, Two)),
        Chain(ctx, s, cin, ($"{b}.branch3x3dbl_1", One, One, Zero), ($"{b}.branch3x3dbl_2", (3, 3), One, One), ($"{b}.branch3x3dbl_3", (3, 3), One, One)),
        PoolBranch(ctx, b, s, cin));

    (Func<Var, Var>, int) BlockB(BuildContext ctx, string b, IReadOnlyDictionary<string, int[]> s, int cin) => Concat(b,
        Chain(ctx, s, cin, ($"{b}.branch3x3", (3, 3), Two, Zero)),
        Chain(ctx, s, cin, ($"{b}.branch3x3dbl_1", One, One, Zero), ($"{b}.branch3x3dbl_2", (3, 3), One, One), ($"{b}.branch3x3dbl_3", (3, 3), Two, Zero)),
        (x => Ops.MaxPool2d(x, 3, 2, 0), cin));

    (Func<Var, Var>, int) BlockC(BuildContext ctx, string b, IReadOnlyDictionary<string, int[]> s, int cin) => Concat(b,
        Chain(ctx, s, cin, ($"{b}.branch1x1", One, One, Zero)),
        Chain(ctx, s, cin, ($"{b}.branch7x7_1", One, One, Zero), ($"{b}.branch7x7_2", (1, 7), One, (0, 3)), ($"{b}.branch7x7_3", (7, 1), One, (3, 0))),
        Chain(ctx, s, cin, ($"{b}.branch7x7dbl_1", One, One, Zero), ($"{b}.branch7x7dbl_2", (7, 1), One, (3, 0)), ($"{b}.branch7x7dbl_3", (1, 7), One, (0, 3)),
            ($"{b}.branch7x7dbl_4", (7, 1), One, (3, 0)), ($"{b}.branch7x7dbl_5", (1, 7), One, (0, 3))),
        PoolBranch(ctx, b, s, cin));

    (Func<Var, Var>, int) BlockD(BuildContext ctx, string b, IReadOnlyDictionary<string, int[]> s, int cin) => Concat(b,
        Chain(ctx, s, cin, ($"{b}.branch3x3_1", One, One, Zero), ($"{b}.branch3x3_2", (3, 3), Two, Zero)),
        Chain(ctx, s, cin, ($"{b}.branch7x7x3_1", One, One, Zero), ($"{b}.branch7x7x3_2", (1, 7), One, (0, 3)), ($"{b}.branch7x7x3_3", (7, 1), One, (3, 0)),
            ($"{b}.branch7x7x3_4", (3, 3), Two, Zero)),
        (x => Ops.MaxPool2d(x, 3, 2, 0), cin));

    // Block E splits two branches in two (1×3 and 3×1 convs of the same input), concatenated in place.
    (Func<Var, Var>, int) BlockE(BuildContext ctx, string b, IReadOnlyDictionary<string, int[]> s, int cin)
    {
        (Func<Var, Var>, int) Split(int stemIn, (string Path, (int, int) Kernel, (int, int) Padding)[] first, string a, string c)
        {
            var (head, width) = Chain(ctx, s, stemIn, first.Select(f => (f.Path, f.Kernel, One, f.Padding)).ToArray());
            var (left, wl) = Chain(ctx, s, width, ($"{b}.{a}", (1, 3), One, (0, 1)));
            var (right, wr) = Chain(ctx, s, width, ($"{b}.{c}", (3, 1), One, (1, 0)));
            return (x => { var h = head(x); return Ops.Concat(left(h), right(h)); }, wl + wr);
        }
        return Concat(b,
            Chain(ctx, s, cin, ($"{b}.branch1x1", One, One, Zero)),
            Split(cin, [($"{b}.branch3x3_1", One, Zero)], "branch3x3_2a", "branch3x3_2b"),
            Split(cin, [($"{b}.branch3x3dbl_1", One, Zero), ($"{b}.branch3x3dbl_2", (3, 3), One)], "branch3x3dbl_3a", "branch3x3dbl_3b"),
            PoolBranch(ctx, b, s, cin));
    }
}
