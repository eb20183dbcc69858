using NativeCam.Tensors;

namespace NativeCam.Autograd;

// Max pooling and nearest upsampling over NCHW images (YOLOv5's SPPF and its neck).
public static partial class Ops
{
    /// <summary>
    /// torch.nn.functional.max_pool2d(x, kernel, stride, padding, ceil_mode=ceilMode): the maximum of each
    /// kernel×kernel window, padding never chosen. x [N, C, H, W] → [N, C, OH, OW], OH = (H + 2p − k)/s + 1 rounded
    /// down, or up with <paramref name="ceilMode"/> (a last window clipped to the input, started inside it: see
    /// <see cref="PoolGeometry"/>). Backward routes each output gradient to its window's first maximum.
    /// </summary>
    public static Var MaxPool2d(Var x, int kernel, int stride, int padding, bool ceilMode = false)
    {
        var (n, c, h, w) = Nchw("MaxPool2d", x);
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel)
            throw new ArgumentException($"MaxPool2d: kernel {kernel}, stride {stride}, padding {padding} (padding must be at most half the kernel)");
        int oh = PoolGeometry.OutputSize(h, kernel, stride, padding, ceilMode), ow = PoolGeometry.OutputSize(w, kernel, stride, padding, ceilMode);
        if (oh < 1 || ow < 1) // floor mode: the kernel is larger than the padded input; ceil mode allows one clipped window
            throw new ArgumentException($"MaxPool2d: kernel {kernel} is larger than the padded input {Tensor.Format(x.Shape)}");
        var y = Tensor.Empty(x.Device, n, c, oh, ow);
        x.Device.Backend.MaxPool2d(x.Value, y, kernel, stride, padding, ceilMode);
        return Tape.Current.Record(y, () => new MaxPoolNode(x, kernel, stride, padding, ceilMode), x);
    }

    // gx[i] = Σ of gy over the windows whose argmax is i. The argmax is recomputed from the saved input (one
    // pass over the output), so the forward stays a plain max for inference.
    sealed class MaxPoolNode(Var x, int kernel, int stride, int padding, bool ceilMode) : Node(x)
    {
        public override string Op => "MaxPool2d";

        public override void Backward(Tensor gy, Tape tape)
        {
            var backend = Backend(x);
            using var argmax = Tensor.Empty(x.Device, Output.Shape);
            backend.MaxPool2dArgmax(x.Value, argmax, kernel, stride, padding, ceilMode);
            var gx = GradLike(x, Targets(gy));
            backend.MaxPool2dBackward(argmax, gy, gx, kernel, stride, padding, ceilMode);
            tape.AddGrad(x, gx);
        }
    }

    /// <summary>Nearest-neighbour upsampling by an integer factor (nn.Upsample(scale_factor=s, mode='nearest')): [N, C, H, W] → [N, C, H·s, W·s].</summary>
    public static Var Upsample(Var x, int scale)
    {
        var (n, c, h, w) = Nchw("Upsample", x);
        if (scale < 1) throw new ArgumentException($"Upsample: scale {scale} must be a positive integer");
        var y = Tensor.Empty(x.Device, n, c, h * scale, w * scale);
        x.Device.Backend.Upsample(x.Value, y, scale);
        return Tape.Current.Record(y, () => new UpsampleNode(x, scale), x);
    }

    // Each input pixel was copied to scale² outputs, so its gradient is their sum.
    sealed class UpsampleNode(Var x, int scale) : Node(x)
    {
        public override string Op => "Upsample";

        public override void Backward(Tensor gy, Tape tape)
        {
            var gx = GradLike(x, Targets(gy));
            Backend(x).UpsampleBackward(gy, gx, scale);
            tape.AddGrad(x, gx);
        }
    }
}
