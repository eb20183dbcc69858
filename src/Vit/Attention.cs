using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Vit;

/// <summary>
/// Multi-head self-attention as timm writes it, all heads at once as batched tensors:
/// qkv = x W_qkvᵀ + b [B, T, 3·D] → view [B, T, 3, H, d] → permute [3, B, H, T, d] → q, k, v [B, H, T, d];
/// P = softmax(q kᵀ / √d) [B, H, T, T]; out = proj(merge_heads(P v)).
/// Names on the tape (path <c>blocks.N.attn</c>): <c>.qkv</c>, <c>.attn_drop</c> = the attention probabilities P
/// (timm applies its attn_drop dropout, an identity at inference, to exactly this tensor, so a hook on it sees P),
/// <c>.proj</c> and the module's own path (the same value as <c>.proj</c>).
/// </summary>
public sealed class Attention : Module
{
    readonly Linear _qkv, _proj;
    readonly int _heads;

    public Attention(BuildContext ctx, string path, VitConfig config) : base(path)
    {
        _heads = config.Heads;
        _qkv = Child(new Linear(ctx, Join(path, "qkv"), config.Hidden, 3 * config.Hidden));
        _proj = Child(new Linear(ctx, Join(path, "proj"), config.Hidden, config.Hidden));
    }

    /// <summary>Name of the attention probabilities [B, heads, T, T] of this layer.</summary>
    public string ProbabilitiesName => Join(Path, "attn_drop");

    public override Var Forward(Var x)
    {
        int b = x.Shape[0], t = x.Shape[1], width = x.Shape[2], d = width / _heads;
        var qkv = Ops.Permute(Ops.Reshape(_qkv.Forward(x), b, t, 3, _heads, d), 2, 0, 3, 1, 4);
        Var Part(int i) => Ops.Reshape(Ops.Narrow(qkv, 0, i, 1), b, _heads, t, d);
        // Scaling q (T·d values) instead of the scores (T·T) is the same product and cheaper.
        var q = Ops.Scale(Part(0), (float)(1 / Math.Sqrt(d)));
        var k = Part(1);
        var v = Part(2);
        var probabilities = Ops.Softmax(Ops.MatMul(q, k, transposeB: true)).Named(ProbabilitiesName);
        var context = Ops.Reshape(Ops.Permute(Ops.MatMul(probabilities, v), 0, 2, 1, 3), b, t, width);
        return Output(_proj.Forward(context));
    }
}

/// <summary>The transformer MLP: fc2(GELU(fc1(x))) with the exact (erf) GELU; names <c>.fc1</c>, <c>.act</c>, <c>.fc2</c> and its path.</summary>
public sealed class Mlp : Module
{
    readonly Linear _fc1, _fc2;

    public Mlp(BuildContext ctx, string path, VitConfig config) : base(path)
    {
        _fc1 = Child(new Linear(ctx, Join(path, "fc1"), config.Hidden, config.MlpDim));
        _fc2 = Child(new Linear(ctx, Join(path, "fc2"), config.MlpDim, config.Hidden));
    }

    public override Var Forward(Var x) => Output(_fc2.Forward(Output(Ops.Gelu(_fc1.Forward(x)), "act")));
}

/// <summary>
/// A pre-norm encoder block: x + attn(norm1(x)), then x + mlp(norm2(x)). Its output is named <c>blocks.N</c>;
/// inside, <c>blocks.N.norm1</c>, <c>blocks.N.attn</c> (and <c>.attn.attn_drop</c>), <c>blocks.N.norm2</c>, <c>blocks.N.mlp</c>.
/// </summary>
public sealed class Block : Module
{
    readonly LayerNorm _norm1, _norm2;
    readonly Mlp _mlp;

    public Block(BuildContext ctx, string path, VitConfig config) : base(path)
    {
        _norm1 = Child(new LayerNorm(ctx, Join(path, "norm1"), config.Hidden, config.LayerNormEps));
        Attn = Child(new Attention(ctx, Join(path, "attn"), config));
        _norm2 = Child(new LayerNorm(ctx, Join(path, "norm2"), config.Hidden, config.LayerNormEps));
        _mlp = Child(new Mlp(ctx, Join(path, "mlp"), config));
    }

    public Attention Attn { get; }

    public override Var Forward(Var x)
    {
        x = Ops.Add(x, Attn.Forward(_norm1.Forward(x)));
        return Output(Ops.Add(x, _mlp.Forward(_norm2.Forward(x))));
    }
}
