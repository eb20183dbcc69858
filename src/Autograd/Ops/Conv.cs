using NativeCam.Tensors;

namespace NativeCam.Autograd;

// 2-D convolution and transposed convolution (NCHW, PyTorch weight layouts). The two share three kernels: a
// transposed conv is a conv run backwards, so each one's forward is the other's input gradient (docs/ops/spatial.md).
public static partial class Ops
{
    /// <summary>Conv2d with the same stride and padding on both axes.</summary>
    public static Var Conv2d(Var x, Var weight, Var? bias = null, int stride = 1, int padding = 0, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), groups);

    /// <summary>
    /// y = conv2d(x, weight) + bias, as torch.nn.functional.conv2d: x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw],
    /// bias [Cout] or null, y [N, Cout, (H + 2ph − kh)/sh + 1, (W + 2pw − kw)/sw + 1], zero padding.
    /// </summary>
    public static Var Conv2d(Var x, Var weight, Var? bias, (int H, int W) stride, (int H, int W) padding, int groups = 1)
    {
        var (g, n, cout, oh, ow) = CheckConv2d(x, weight, bias, stride, padding, groups);

        var y = Tensor.Empty(x.Device, n, cout, oh, ow);
        x.Device.Backend.Conv2d(x.Value, weight.Value, bias?.Value, y, g);
        return Tape.Current.Record(y, () => new Conv2dNode(x, weight, bias, g), WithBias(x, weight, bias));
    }

    /// <summary>
    /// <c>act(conv2d(x, weight) + bias)</c> computed in one backend pass (<see cref="IBackend.Conv2dActivation"/>), recorded
    /// as the two ops it is — a Conv2d node and the activation's node — so the backward, the gradients and the
    /// named taps are exactly those of <c>Ops.Unary(act, Ops.Conv2d(...))</c>. Returns both outputs; when no input
    /// requires a gradient, on an inference tape (<see cref="Tape.Inference"/>) or on a <see cref="Tape.WatchedOnly"/>
    /// tape that does not watch <paramref name="convName"/> (the name the caller gives the conv output), the conv
    /// output is not kept (Conv is null) and the backend activates in place: one output written instead of two.
    /// </summary>
    public static (Var? Conv, Var Activated) Conv2dActivation(Var x, Var weight, Var? bias, (int H, int W) stride,
        (int H, int W) padding, int groups, UnaryOp act, string? convName = null)
    {
        if (act == UnaryOp.Scale) throw new ArgumentException("Conv2dActivation: Scale is not an activation");
        var (g, n, cout, oh, ow) = CheckConv2d(x, weight, bias, stride, padding, groups);

        var a = Tensor.Empty(x.Device, n, cout, oh, ow);
        var tape = Tape.Current;
        bool unread = tape.Inference || tape.WatchedOnly && !(convName is not null && tape.Watches(convName));
        if (unread && !x.RequiresGrad && !weight.RequiresGrad && bias is not { RequiresGrad: true })
        {
            x.Device.Backend.Conv2dActivation(x.Value, weight.Value, bias?.Value, a, a, g, act);
            return (null, Tape.Current.Untracked(a));
        }
        var y = Tensor.Empty(x.Device, n, cout, oh, ow);
        x.Device.Backend.Conv2dActivation(x.Value, weight.Value, bias?.Value, y, a, g, act);
        var conv = Tape.Current.Record(y, () => new Conv2dNode(x, weight, bias, g), WithBias(x, weight, bias));
        return (conv, Tape.Current.Record(a, () => new UnaryNode(act, conv, 1f), conv));
    }

    // gx = transposed correlation of gy with the weights; gw = correlation of x with gy; gb = Σ of gy over pixels.
    sealed class Conv2dNode(Var x, Var weight, Var? bias, ConvGeometry g) : Node(WithBias(x, weight, bias))
    {
        public override string Op => "Conv2d";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            var backend = Backend(x);
            if (x.RequiresGrad)
            {
                var gx = GradLike(x, k);
                backend.Conv2dBackwardInput(gy, weight.Value, gx, g);
                tape.AddGrad(x, gx);
            }
            if (weight.RequiresGrad)
            {
                var gw = GradLike(weight, k);
                backend.Conv2dBackwardWeight(x.Value, gy, gw, g);
                tape.AddGrad(weight, gw);
            }
            if (bias is { RequiresGrad: true }) tape.AddGrad(bias, BiasGrad(Output.Value, gy, bias, k));
        }
    }

    /// <summary>ConvTranspose2d with the same stride, padding and output padding on both axes.</summary>
    public static Var ConvTranspose2d(Var x, Var weight, Var? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1) =>
        ConvTranspose2d(x, weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), groups);

    /// <summary>
    /// y = conv_transpose2d(x, weight) + bias, as torch.nn.functional.conv_transpose2d: x [N, Cin, H, W],
    /// weight [Cin, Cout/groups, kh, kw], bias [Cout] or null, y [N, Cout, (H − 1)·sh − 2ph + kh + oph, (W − 1)·sw − 2pw + kw + opw].
    /// It is the input gradient of a Conv2d mapping y's shape to x's with the same weight.
    /// </summary>
    public static Var ConvTranspose2d(Var x, Var weight, Var? bias, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) outputPadding, int groups = 1)
    {
        var g = CheckGeometry("ConvTranspose2d", stride, padding, groups);
        var (n, cin, h, w) = Nchw("ConvTranspose2d", x);
        if (weight.Shape.Length != 4)
            throw new ArgumentException($"ConvTranspose2d: weight must be [Cin, Cout/groups, kh, kw], got {Tensor.Format(weight.Shape)}");
        if (cin % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: {cin} input channels do not split into {groups} groups");
        if (weight.Shape[0] != cin)
            throw new ArgumentException($"ConvTranspose2d: input has {cin} channels, weight {Tensor.Format(weight.Shape)} expects {weight.Shape[0]}");
        if (outputPadding.H < 0 || outputPadding.W < 0 || outputPadding.H >= stride.H || outputPadding.W >= stride.W)
            throw new ArgumentException($"ConvTranspose2d: output padding {outputPadding} must be non-negative and smaller than the stride {stride}");
        int cout = weight.Shape[1] * groups, kh = weight.Shape[2], kw = weight.Shape[3];
        CheckBias("ConvTranspose2d", bias, cout);
        int oh = (h - 1) * stride.H - 2 * padding.H + kh + outputPadding.H, ow = (w - 1) * stride.W - 2 * padding.W + kw + outputPadding.W;
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"ConvTranspose2d: input {Tensor.Format(x.Shape)} with kernel {kh}x{kw}, padding {padding} gives an empty output");

        var y = Tensor.Empty(x.Device, n, cout, oh, ow);
        var backend = x.Device.Backend;
        backend.Conv2dBackwardInput(x.Value, weight.Value, y, g);
        if (bias != null) backend.Binary(BinaryOp.Add, y, bias.Value, y, oh * ow);
        return Tape.Current.Record(y, () => new ConvTranspose2dNode(x, weight, bias, g), WithBias(x, weight, bias));
    }

    // The mirror of Conv2dNode: gx = conv2d(gy, w); gw = conv2d's weight gradient with input gy and output gradient x.
    sealed class ConvTranspose2dNode(Var x, Var weight, Var? bias, ConvGeometry g) : Node(WithBias(x, weight, bias))
    {
        public override string Op => "ConvTranspose2d";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            var backend = Backend(x);
            if (x.RequiresGrad)
            {
                var gx = GradLike(x, k);
                backend.Conv2d(gy, weight.Value, null, gx, g);
                tape.AddGrad(x, gx);
            }
            if (weight.RequiresGrad)
            {
                var gw = GradLike(weight, k);
                backend.Conv2dBackwardWeight(gy, x.Value, gw, g);
                tape.AddGrad(weight, gw);
            }
            if (bias is { RequiresGrad: true }) tape.AddGrad(bias, BiasGrad(Output.Value, gy, bias, k));
        }
    }

    /// <summary>Per-target bias gradient [K, C]: gy summed over each target's images and pixels (the broadcast-add rule).</summary>
    static Tensor BiasGrad(Tensor y, Tensor gy, Var bias, int k)
    {
        var gb = Tensor.Empty(bias.Device, [k, .. bias.Shape]);
        bias.Device.Backend.BinaryBackwardB(BinaryOp.Add, y, gy, gb, y.Shape[2] * y.Shape[3]);
        return gb;
    }

    static Var[] WithBias(Var x, Var weight, Var? bias) => bias is null ? [x, weight] : [x, weight, bias];

    /// <summary>Validates conv2d's operands (messages name the op and the shapes); returns the geometry and y's shape.</summary>
    static (ConvGeometry G, int N, int Cout, int OH, int OW) CheckConv2d(Var x, Var weight, Var? bias, (int H, int W) stride,
        (int H, int W) padding, int groups)
    {
        var g = CheckGeometry("Conv2d", stride, padding, groups);
        var (n, cin, h, w) = Nchw("Conv2d", x);
        if (weight.Shape.Length != 4)
            throw new ArgumentException($"Conv2d: weight must be [Cout, Cin/groups, kh, kw], got {Tensor.Format(weight.Shape)}");
        int cout = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (cout % groups != 0)
            throw new ArgumentException($"Conv2d: {cout} output channels do not split into {groups} groups");
        if (cin != weight.Shape[1] * groups)
            throw new ArgumentException($"Conv2d: input has {cin} channels, weight expects {weight.Shape[1] * groups} ({weight.Shape[1]} per group x {groups} groups)");
        CheckBias("Conv2d", bias, cout);
        if (h + 2 * padding.H < kh || w + 2 * padding.W < kw)
            throw new ArgumentException($"Conv2d: kernel {kh}x{kw} is larger than the padded input {Tensor.Format(x.Shape)} (padding {padding})");
        int oh = (h + 2 * padding.H - kh) / stride.H + 1, ow = (w + 2 * padding.W - kw) / stride.W + 1;
        return (g, n, cout, oh, ow);
    }

    static ConvGeometry CheckGeometry(string op, (int H, int W) stride, (int H, int W) padding, int groups)
    {
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{op}: stride {stride} must be positive");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"{op}: padding {padding} must be non-negative");
        if (groups < 1) throw new ArgumentException($"{op}: groups {groups} must be positive");
        return new ConvGeometry(stride.H, stride.W, padding.H, padding.W, groups);
    }

    static void CheckBias(string op, Var? bias, int channels)
    {
        if (bias != null && (bias.Shape.Length != 1 || bias.Shape[0] != channels))
            throw new ArgumentException($"{op}: bias {Tensor.Format(bias.Shape)} does not match {channels} output channels");
    }

    static (int N, int C, int H, int W) Nchw(string op, Var x)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"{op}: input must be NCHW, got {Tensor.Format(x.Shape)}");
        return (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
    }
}
