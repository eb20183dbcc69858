namespace NativeCam.Tensors;

/// <summary>
/// The output size of a pooling window along one axis, as PyTorch's <c>pooling_output_shape</c>: floor mode
/// (H + 2p − k)/s + 1; <c>ceil_mode=True</c> (GoogLeNet's and SqueezeNet's max pools) rounds the division up, so a
/// last, partial window covers the rows floor mode drops, except that a window must start inside the input or its
/// left padding (a window starting in the right padding would see only padding). In ceil mode an input smaller than
/// the kernel can still give one clipped window (PyTorch: a 1-pixel map through GoogLeNet's 2×2 maxpool4 is 1 pixel).
/// A size below 1 means the input is too small (PyTorch refuses it).
/// </summary>
public static class PoolGeometry
{
    /// <summary>Outputs along an axis of <paramref name="size"/> inputs (≤ 0: too small), with floor division as PyTorch's div_rtn.</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding, bool ceilMode)
    {
        int span = size + 2 * padding - kernel;
        if (!ceilMode) return FloorDiv(span, stride) + 1;
        int n = FloorDiv(span + stride - 1, stride) + 1;
        return (n - 1) * stride >= size + padding ? n - 1 : n;
    }

    static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
