using System.Buffers;
using System.Security.Cryptography;
using NativeCam.Weights.Format;
using NativeCam.Weights.Safetensors;

namespace NativeCam.Weights.Torch;

/// <summary>Receives one tensor at a time; <paramref name="data"/> is only valid during the call.</summary>
public delegate void TensorSink(string name, string dtype, int[] shape, ReadOnlySpan<byte> data);

/// <summary>
/// An opened checkpoint in any format NativeCam reads (a PyTorch zip or legacy file, safetensors): its
/// tensor list and metadata are known after <see cref="Open"/>; tensor bytes are read on demand by
/// <see cref="ReadTensors"/>, one storage at a time, into pooled buffers, so converting never holds more
/// than one tensor's data.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    private readonly FileStream _file;
    private readonly IStorageReader _storages;
    private byte[]? _cachedStorage;
    private TorchStorage? _cachedStorageKey;

    private TorchCheckpoint(FileStream file, IStorageReader storages, IReadOnlyList<NamedTensor> tensors)
    {
        _file = file;
        _storages = storages;
        Tensors = tensors;
    }

    public IReadOnlyList<NamedTensor> Tensors { get; }
    public WeightMetadata Metadata { get; private set; } = new();

    public static TorchCheckpoint Open(string path)
    {
        string name = Path.GetFileName(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        IStorageReader? storages = null;
        try
        {
            var kind = WeightFileFormat.Detect(file);
            if (kind == WeightFileKind.NativeCam) throw new WeightFormatException($"{name} is already a NativeCam weight file");
            string sha = Convert.ToHexStringLower(SHA256.HashData(file));
            file.Position = 0;
            var opened = kind switch
            {
                WeightFileKind.TorchZip => OpenZip(file, name),
                WeightFileKind.TorchLegacy => LegacyTorchFile.Open(file, name),
                WeightFileKind.Safetensors => SafetensorsFile.Open(file, name),
                _ => throw WeightFileFormat.Unsupported(path),
            };
            storages = opened.Storages;
            var extracted = ModelExtractor.Extract(opened.Root, name);
            CheckTotalSize(extracted.Tensors, name);
            var checkpoint = new TorchCheckpoint(file, storages, extracted.Tensors);
            checkpoint.Metadata = CheckpointMetadata.Build(extracted, checkpoint.ReadDoubles, name, sha, opened);
            return checkpoint;
        }
        catch
        {
            storages?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static OpenedCheckpoint OpenZip(FileStream file, string name)
    {
        var archive = TorchArchive.Open(file, name);
        try
        {
            return new OpenedCheckpoint(archive.Unpickle(), archive, SourceFormats.TorchZip, new Dictionary<string, string>());
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Views may share and even repeat storage elements (stride 0), so the tensors could claim far
    /// more data than the file holds. Legitimate sharing (tied weights) stays within a few times the
    /// stored bytes; anything beyond is refused before a byte is allocated.
    /// </summary>
    private static void CheckTotalSize(IReadOnlyList<NamedTensor> tensors, string source)
    {
        long stored = tensors.Select(t => t.Tensor.Storage).Distinct().Sum(s => s.ByteLength);
        long claimed = 0;
        foreach (var (_, t) in tensors) claimed += t.ElementCount * t.Storage.ElementSize;
        long allowed = 4 * stored + (64L << 20);
        if (claimed > allowed)
            throw new WeightFormatException($"{source}: its tensors add up to {claimed} bytes, far more than the {stored} bytes of storage in the file (hostile?)");
    }

    /// <summary>Sends every tensor, contiguous and in the dtype <paramref name="options"/> asks for, to <paramref name="sink"/>.</summary>
    public void ReadTensors(ConvertOptions options, TensorSink sink)
    {
        foreach (var (name, tensor) in Tensors)
        {
            string outType = options.OutputDType(tensor.DType);
            int count = (int)tensor.ElementCount;
            byte[] gathered = ArrayPool<byte>.Shared.Rent(count * tensor.Storage.ElementSize);
            byte[] converted = ArrayPool<byte>.Shared.Rent(count * DTypes.SizeOf(outType));
            try
            {
                var source = gathered.AsSpan(0, count * tensor.Storage.ElementSize);
                var output = converted.AsSpan(0, count * DTypes.SizeOf(outType));
                TensorGather.Gather(StorageBytes(tensor.Storage), tensor, source);
                ElementConversion.Convert(tensor.DType, outType, source, output);
                sink(name, outType, ShapeOf(name, tensor), output);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(gathered);
                ArrayPool<byte>.Shared.Return(converted);
            }
        }
    }

    /// <summary>A small tensor's values as doubles (e.g. YOLOv5's stride).</summary>
    public double[] ReadDoubles(TorchTensor tensor)
    {
        var bytes = new byte[tensor.ElementCount * tensor.Storage.ElementSize];
        TensorGather.Gather(StorageBytes(tensor.Storage), tensor, bytes);
        var values = new double[tensor.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = ElementValues.ReadDouble(tensor.DType, bytes, i);
        return values;
    }

    /// <summary>The storage's bytes; the last one read is kept, since consecutive tensors often share a storage.</summary>
    private ReadOnlySpan<byte> StorageBytes(TorchStorage storage)
    {
        int length = (int)storage.ByteLength;
        if (!ReferenceEquals(_cachedStorageKey, storage))
        {
            if (_cachedStorage is null || _cachedStorage.Length < length)
            {
                if (_cachedStorage is not null) ArrayPool<byte>.Shared.Return(_cachedStorage);
                _cachedStorage = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            }
            _cachedStorageKey = null;
            _storages.ReadStorage(storage, _cachedStorage.AsSpan(0, length));
            _cachedStorageKey = storage;
        }
        return _cachedStorage.AsSpan(0, length);
    }

    private static int[] ShapeOf(string name, TorchTensor tensor)
    {
        var shape = new int[tensor.Shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            if (tensor.Shape[d] > int.MaxValue) throw new WeightFormatException($"tensor '{name}' has a dimension too large to hold");
            shape[d] = (int)tensor.Shape[d];
        }
        return shape;
    }

    public void Dispose()
    {
        if (_cachedStorage is not null) ArrayPool<byte>.Shared.Return(_cachedStorage);
        _cachedStorage = null;
        _storages.Dispose();
        _file.Dispose();
    }
}
