namespace NativeCam.Weights.Torch;

/// <summary>Copies a tensor's elements out of its storage into contiguous row-major order, following its strides.</summary>
public static class TensorGather
{
    public static void Gather(ReadOnlySpan<byte> storage, TorchTensor tensor, Span<byte> destination)
    {
        int size = tensor.Storage.ElementSize;
        if (tensor.ElementCount == 0) return;
        if (tensor.IsContiguous)
        {
            storage.Slice(checked((int)(tensor.Offset * size)), destination.Length).CopyTo(destination);
            return;
        }
        // Odometer over the index space: bump the last dimension, carry into earlier ones.
        var shape = tensor.Shape;
        var stride = tensor.Stride;
        Span<long> index = stackalloc long[shape.Length];
        long source = tensor.Offset;
        for (long i = 0; i < tensor.ElementCount; i++)
        {
            storage.Slice((int)(source * size), size).CopyTo(destination.Slice((int)(i * size), size));
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                source += stride[d];
                if (++index[d] < shape[d]) break;
                source -= stride[d] * shape[d];
                index[d] = 0;
            }
        }
    }
}
