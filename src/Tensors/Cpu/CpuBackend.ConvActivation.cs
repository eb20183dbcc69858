namespace NativeCam.Tensors;

// Conv2d with its activation fused into the forward GEMM's tiles: each tile of y is activated into `activated`
// right after the GEMM wrote it, while it is in cache, instead of a second pass over the whole output (SiLU after
// every YOLOv5 conv was ~15 % of the forward as a separate pass). Depth-wise convs run the two passes.
public sealed partial class CpuBackend
{
    public unsafe void Conv2dActivation(Tensor x, Tensor w, Tensor? bias, Tensor y, Tensor activated, ConvGeometry g, UnaryOp act)
    {
        SameLength(y, activated, "conv2d + activation");
        Require(act != UnaryOp.Scale, "conv2d + activation: Scale is not an activation");
        Pointwise.Check(act);
        var s = Dims("conv2d", x, w.Shape, y, g);
        if (bias != null) Require(bias.Length == s.Cout, $"conv2d: bias of {bias.Length} elements for {s.Cout} channels");
        if (s.OutImages == 0) return;
        if (s.Depthwise)
        {
            Conv2d(x, w, bias, y, g);
            Unary(act, y, activated);
            return;
        }
        GemmForward(s, x.Pointer, w.Pointer, bias == null ? null : bias.Pointer, y.Pointer, activated.Pointer, Activation(act));
    }

    /// <summary>(src, dst, count) → dst = act(src) on the calling thread, at this backend's vector width.</summary>
    Action<nint, nint, int> Activation(UnaryOp act) => Pointwise.With<Epilogue, Action<nint, nint, int>>(act, 1f, new Epilogue(_width));

    readonly struct Epilogue(SimdWidth width) : IActivationUser<Action<nint, nint, int>>
    {
        public unsafe Action<nint, nint, int> Use<F>(F f) where F : struct, IActivation
        {
            var w = width;
            return (src, dst, n) => Simd.Serial(w, n, new ActivationForward<F>(f, (float*)src, (float*)dst));
        }
    }
}
