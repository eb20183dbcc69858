using System.Diagnostics;
using NativeCam.Autograd;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Vit;

/// <summary>
/// A Vision Transformer (Dosovitskiy et al. 2021) in timm's module tree, whichever layout its weights came in.
/// Forward: patch embedding (a p×p stride-p conv, flattened to tokens [B, G², D]) → class token prepended and
/// position embedding added → pre-norm blocks → final norm → head on the class token → logits [B, classes].
/// Tape names (for hooks): <c>patch_embed.proj</c> [B, D, G, G], <c>patch_embed</c> [B, G², D], <c>pos_drop</c>
/// [B, T, D] (tokens after the position embedding), <c>blocks.N</c> and the names inside a block (see
/// <see cref="Block"/>, <see cref="Attention"/>), <c>norm</c> [B, T, D] and <c>head</c> (the logits).
/// </summary>
public sealed class VitModel : IDisposable
{
    readonly Conv2d _patch;
    readonly Var _clsToken, _posEmbed;
    readonly Block[] _blocks;
    readonly LayerNorm _norm;
    readonly Linear _head;
    readonly List<Var> _ownParameters;

    VitModel(BuildContext ctx, VitConfig config)
    {
        Config = config.Validate();
        int d = config.Hidden, p = config.PatchSize;
        _patch = new Conv2d(ctx, "patch_embed.proj", 3, d, (p, p), (p, p), (0, 0));
        _clsToken = Var.Parameter(ctx.Weights.Take("cls_token", 1, 1, d).ToDevice(ctx.Device));
        _posEmbed = Var.Parameter(ctx.Weights.Take("pos_embed", 1, config.Tokens, d).ToDevice(ctx.Device));
        _ownParameters = [_clsToken, _posEmbed];
        _blocks = Enumerable.Range(0, config.Depth).Select(i => new Block(ctx, $"blocks.{i}", config)).ToArray();
        _norm = new LayerNorm(ctx, "norm", d, config.LayerNormEps);
        _head = new Linear(ctx, "head", d, config.Classes);
    }

    public VitConfig Config { get; }

    /// <summary>The encoder blocks (<c>blocks.N</c>).</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>
    /// Builds the model on <paramref name="device"/>. Every tensor of the checkpoint must be used: a
    /// checkpoint with parts this model does not run (a pre-logits layer, distillation token) is refused.
    /// </summary>
    public static VitModel Build(Device device, VitCheckpoint checkpoint)
    {
        var ctx = new BuildContext(device, checkpoint.Weights, new Dictionary<string, ModuleInfo>());
        var model = new VitModel(ctx, checkpoint.Config);
        var unused = checkpoint.Weights.Unused;
        if (unused.Count == 0) return model;
        model.Dispose();
        throw new InvalidDataException($"ViT checkpoint has {unused.Count} tensor(s) this model does not use " +
            $"(canonical names): {string.Join(", ", unused.Take(8))}{(unused.Count > 8 ? ", ..." : "")}");
    }

    /// <summary>Names of the attention probabilities [B, heads, T, T] of every block, in order.</summary>
    public IReadOnlyList<string> AttentionNames => _blocks.Select(b => b.Attn.ProbabilitiesName).ToArray();

    /// <summary>All weights (none requires a gradient unless asked).</summary>
    public IEnumerable<Var> Parameters() => _ownParameters
        .Concat(_patch.Parameters()).Concat(_blocks.SelectMany(b => b.Parameters()))
        .Concat(_norm.Parameters()).Concat(_head.Parameters());

    /// <summary>Logits [B, classes] for images [B, 3, S, S] with S the configured image size (normalized as the weights expect).</summary>
    public Var Forward(Var image)
    {
        var c = Config;
        if (image.Shape is not [var b, 3, var h, var w] || h != c.ImageSize || w != c.ImageSize)
            throw new ArgumentException($"ViT: input {Tensor.Format(image.Shape)} is not [B, 3, {c.ImageSize}, {c.ImageSize}]");
        int tokens = c.Grid * c.Grid;
        var patches = Ops.Reshape(_patch.Forward(image), b, c.Hidden, tokens);
        var x = Ops.Transpose(patches, 1, 2).Named("patch_embed");
        x = Ops.Add(Ops.Concat(ClassTokens(b), x), _posEmbed).Named("pos_drop");
        foreach (var block in _blocks) x = block.Forward(x);
        x = _norm.Forward(x);
        var classToken = Ops.Reshape(Ops.Narrow(x, 1, 0, 1), b, c.Hidden);
        return _head.Forward(classToken);
    }

    /// <summary>The class token repeated for each image, [B, 1, D] (a broadcast add onto zeros owned by the tape).</summary>
    Var ClassTokens(int batch)
    {
        if (batch == 1) return _clsToken;
        var zeros = Tensor.Zeros(_clsToken.Device, batch, 1, Config.Hidden);
        var zero = Tape.Current.Record(zeros, () => throw new UnreachableException());
        return Ops.Add(zero, _clsToken);
    }

    public void Dispose()
    {
        _patch.Dispose();
        foreach (var v in _ownParameters) { v.ZeroGrad(); v.Value.Dispose(); }
        _ownParameters.Clear();
        foreach (var block in _blocks) block.Dispose();
        _norm.Dispose();
        _head.Dispose();
    }
}
