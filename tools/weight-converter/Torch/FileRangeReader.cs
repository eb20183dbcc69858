namespace NativeCam.Weights.Torch;

/// <summary>
/// Storages that lie in a plain file at known offsets, stored little-endian (a legacy torch.save file,
/// a safetensors file). Every range was checked against the file's length when it was added.
/// </summary>
public sealed class FileRangeReader(FileStream file, string source) : IStorageReader
{
    private readonly Dictionary<TorchStorage, long> _offsets = new(ReferenceEqualityComparer.Instance);

    /// <summary>Records that <paramref name="storage"/>'s bytes start at <paramref name="offset"/>; refuses a range past the end of the file.</summary>
    public void Add(TorchStorage storage, long offset)
    {
        if (offset < 0 || storage.ByteLength > file.Length - offset)
            throw new WeightFormatException($"{source}: storage '{storage.Key}' ({storage.ByteLength} bytes at byte {offset}) runs past the end of the {file.Length}-byte file (truncated)");
        _offsets[storage] = offset;
    }

    /// <summary>Where an added storage's bytes start in the file.</summary>
    public long OffsetOf(TorchStorage storage) => _offsets[storage];

    public void ReadStorage(TorchStorage storage, Span<byte> destination)
    {
        if (!_offsets.TryGetValue(storage, out long offset)) throw new WeightFormatException($"{source}: storage '{storage.Key}' has no data in the file");
        try
        {
            file.Position = offset;
            file.ReadExactly(destination[..(int)storage.ByteLength]);
        }
        catch (EndOfStreamException)
        {
            throw new WeightFormatException($"{source}: storage '{storage.Key}' cannot be read: the file ends early (truncated)");
        }
    }

    public void Dispose() => file.Dispose();
}
