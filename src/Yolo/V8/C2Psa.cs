using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// YOLO11's C2PSA: cv1 (1×1) to 2c channels split into a, b; b through n PSABlocks (position-sensitive attention,
/// then a 1×1 → 1×1 feed-forward, each with a residual); cv2 (1×1) mixes cat(a, b). Heads: c / 64.
/// </summary>
public sealed class C2Psa : Module
{
    readonly ConvBlock _cv1, _cv2;
    readonly Module[] _m;
    readonly int _c;

    public C2Psa(BuildContext ctx, string path, int c1, int c2, int n = 1, double e = 0.5) : base(path)
    {
        if (c1 != c2) throw new InvalidDataException($"{path}: C2PSA needs equal input and output widths ({c1} vs {c2})");
        _c = (int)(c1 * e);
        if (_c < 64) throw new InvalidDataException($"{path}: C2PSA hidden width {_c} gives no attention head (heads = width / 64)");
        _cv1 = Child(new ConvBlock(ctx, Join(path, "cv1"), c1, 2 * _c, 1, 1));
        _cv2 = Child(new ConvBlock(ctx, Join(path, "cv2"), 2 * _c, c1, 1));
        _m = Enumerable.Range(0, n).Select(i => (Module)Child(new PsaBlock(ctx, $"{path}.m.{i}", _c, _c / 64))).ToArray();
    }

    public override Var Forward(Var x)
    {
        var y = _cv1.Forward(x);
        var b = Ops.Narrow(y, 1, _c, _c);
        foreach (var m in _m) b = m.Forward(b);
        return Output(_cv2.Forward(Ops.Concat(Ops.Narrow(y, 1, 0, _c), b)));
    }
}

/// <summary>PSABlock: x + attn(x), then + ffn (Conv 1×1 to 2c, Conv 1×1 back without activation).</summary>
public sealed class PsaBlock : Module
{
    readonly PsaAttention _attn;
    readonly ConvBlock _ffn0, _ffn1;

    public PsaBlock(BuildContext ctx, string path, int c, int heads) : base(path)
    {
        _attn = Child(new PsaAttention(ctx, Join(path, "attn"), c, heads));
        _ffn0 = Child(new ConvBlock(ctx, $"{path}.ffn.0", c, 2 * c, 1, 1));
        _ffn1 = Child(new ConvBlock(ctx, $"{path}.ffn.1", 2 * c, c, 1, 1, act: false));
    }

    public override Var Forward(Var x)
    {
        x = Ops.Add(x, _attn.Forward(x));
        return Output(Ops.Add(x, _ffn1.Forward(_ffn0.Forward(x))));
    }
}

/// <summary>
/// Ultralytics' Attention: qkv as one 1×1 conv (no activation) to heads·(2·key_dim + head_dim) channels, per head
/// softmax(qᵀk · key_dim^−½) over the H·W positions, v·attnᵀ, plus a 3×3 depth-wise positional conv of v, then proj.
/// key_dim = head_dim / 2.
/// </summary>
public sealed class PsaAttention : Module
{
    readonly ConvBlock _qkv, _proj, _pe;
    readonly int _heads, _headDim, _keyDim;
    readonly float _scale;

    public PsaAttention(BuildContext ctx, string path, int dim, int heads, double attnRatio = 0.5) : base(path)
    {
        if (heads < 1 || dim % heads != 0) throw new InvalidDataException($"{path}: {heads} attention heads do not divide {dim} channels");
        (_heads, _headDim) = (heads, dim / heads);
        _keyDim = (int)(_headDim * attnRatio);
        _scale = (float)Math.Pow(_keyDim, -0.5);
        _qkv = Child(new ConvBlock(ctx, Join(path, "qkv"), dim, dim + 2 * _keyDim * heads, 1, 1, act: false));
        _proj = Child(new ConvBlock(ctx, Join(path, "proj"), dim, dim, 1, 1, act: false));
        _pe = Child(new ConvBlock(ctx, Join(path, "pe"), dim, dim, 3, 1, g: dim, act: false));
    }

    public override Var Forward(Var x)
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], n = h * w;
        var qkv = Ops.Reshape(_qkv.Forward(x), b, _heads, 2 * _keyDim + _headDim, n);
        var q = Ops.Narrow(qkv, 2, 0, _keyDim);
        var k = Ops.Narrow(qkv, 2, _keyDim, _keyDim);
        var v = Ops.Narrow(qkv, 2, 2 * _keyDim, _headDim);
        var attn = Ops.Softmax(Ops.Scale(Ops.MatMul(q, k, transposeA: true), _scale));
        var y = Ops.Reshape(Ops.MatMul(v, attn, transposeB: true), b, c, h, w);
        y = Ops.Add(y, _pe.Forward(Ops.Reshape(v, b, c, h, w)));
        return Output(_proj.Forward(y));
    }
}
