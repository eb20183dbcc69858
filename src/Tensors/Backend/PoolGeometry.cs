namespace NativeCam.Tensors;

/// <summary>
/// The output size of a pooling window along one axis, as PyTorch's <c>pooling_output_shape</c>: floor mode
/// (H + 2p − k)/s + 1; <c>ceil_mode=True</c> (GoogLeNet's and SqueezeNet's max pools) rounds the division up, so a
/// last, partial window covers the rows floor mode drops, except that a window must start inside the input or its
/// left padding (a window starting in the right padding would see only padding).
/// </summary>
public static class PoolGeometry
{
    /// <summary>Outputs along an axis of <paramref name="size"/> inputs; assumes size + 2·padding ≥ kernel.</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding, bool ceilMode)
    {
        int span = size + 2 * padding - kernel;
        if (!ceilMode) return span / stride + 1;
        int n = (span + stride - 1) / stride + 1;
        return (n - 1) * stride >= size + padding ? n - 1 : n;
    }
}
