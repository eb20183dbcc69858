namespace NativeCam.Weights.Torch;

/// <summary>
/// Where a checkpoint's storage bytes come from: a zip entry (<see cref="TorchArchive"/>), or a stretch of
/// a plain file (<see cref="FileRangeReader"/>: legacy torch.save files, safetensors).
/// </summary>
public interface IStorageReader : IDisposable
{
    /// <summary>Reads exactly the storage's <see cref="TorchStorage.ByteLength"/> bytes, little-endian, into <paramref name="destination"/>.</summary>
    void ReadStorage(TorchStorage storage, Span<byte> destination);
}
