namespace NativeCam.Weights.Torch;

/// <summary>
/// A tensor as _rebuild_tensor_v2 describes it: a view (offset, shape, strides in elements) into a
/// storage. Created only through <see cref="Create"/>, which proves the view fits the storage.
/// </summary>
public sealed class TorchTensor
{
    /// <summary>More dimensions than any real network uses; a guard against hostile shapes.</summary>
    public const int MaxDimensions = 32;

    private TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride, long count)
    {
        Storage = storage;
        Offset = offset;
        Shape = shape;
        Stride = stride;
        ElementCount = count;
    }

    public TorchStorage Storage { get; }
    public long Offset { get; }
    public long[] Shape { get; }
    public long[] Stride { get; }
    public long ElementCount { get; }
    public string DType => Storage.DType;

    /// <summary>True when the elements lie in row-major order without gaps (size-1 dims may have any stride).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] == 1) continue;
                if (Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    public static TorchTensor Create(TorchStorage storage, long offset, long[] shape, long[] stride)
    {
        string where = $"tensor of shape [{string.Join(", ", shape)}] in storage '{storage.Key}'";
        if (shape.Length != stride.Length) throw new WeightFormatException($"{where} has {stride.Length} strides for {shape.Length} dimensions");
        if (shape.Length > MaxDimensions) throw new WeightFormatException($"{where} has more than {MaxDimensions} dimensions");
        if (offset < 0) throw new WeightFormatException($"{where} has a negative storage offset");
        long count = 1, last = offset;
        try
        {
            for (int d = 0; d < shape.Length; d++)
            {
                if (shape[d] < 0 || stride[d] < 0) throw new WeightFormatException($"{where} has a negative size or stride");
                count = checked(count * shape[d]);
                if (shape[d] > 0) last = checked(last + (shape[d] - 1) * stride[d]);
            }
        }
        catch (OverflowException)
        {
            throw new WeightFormatException($"{where} is absurdly large");
        }
        // Room for the widest output (float16 widens to 4 bytes) in one array.
        if (count > Array.MaxLength / Math.Max(storage.ElementSize, 4)) throw new WeightFormatException($"{where} has more elements than one tensor may hold");
        if (count > 0 && last >= storage.ElementCount)
            throw new WeightFormatException($"{where} needs {last + 1} elements but the storage holds {storage.ElementCount} (storage shorter than the tensor)");
        return new TorchTensor(storage, offset, shape, stride, count);
    }
}
