namespace NativeCam.Weights.Torch;

/// <summary>
/// One typed storage of a checkpoint: the raw bytes in zip entry `archive/data/{Key}`.
/// Only described here; bytes are read when a tensor needs them.
/// </summary>
public sealed class TorchStorage(string key, string dtype, long elementCount, string location)
{
    public string Key { get; } = key;
    public string DType { get; } = dtype;
    public long ElementCount { get; } = elementCount;
    public string Location { get; } = location;
    public int ElementSize => DTypes.SizeOf(DType);
    public long ByteLength => ElementCount * ElementSize;
}
