namespace NativeCam.Tensors;

// Conv2d followed by its activation. TEMPORARY: two passes until the fused epilogue lands in the conv tiles.
public sealed partial class CpuBackend
{
    public void Conv2dActivation(Tensor x, Tensor w, Tensor? bias, Tensor y, Tensor activated, ConvGeometry g, UnaryOp act)
    {
        SameLength(y, activated, "conv2d + activation");
        Conv2d(x, w, bias, y, g);
        Unary(act, y, activated);
    }
}
