using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// torch.save's format before PyTorch 1.6 (and with <c>_use_new_zipfile_serialization=False</c>), in which
/// torchvision's original downloads are: five pickles back to back — the magic number
/// 0x1950a86a20f9469cfc6c, the protocol version 1001, a sys_info dict, the saved object (storages by
/// persistent id, see <see cref="LegacyStorages"/>) and the list of storage keys in the order their data
/// follows — then for each key an int64 element count and the storage's raw little-endian bytes.
/// The pickles run on <see cref="PickleMachine"/>, so nothing in the file executes.
/// </summary>
public static class LegacyTorchFile
{
    /// <summary>The pickles together may not exceed this (a big model's are well under 1 MiB).</summary>
    public const long MaxPickleBytes = TorchArchive.MaxPickleBytes;

    private const int FirstWindow = 1 << 20;
    private const long ProtocolVersion = 1001;
    private static readonly BigInteger Magic = BigInteger.Parse("01950a86a20f9469cfc6c", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Reads the pickles from the front of <paramref name="file"/> (which the result then owns) and locates every storage.</summary>
    public static OpenedCheckpoint Open(FileStream file, string source)
    {
        long limit = Math.Min(file.Length, MaxPickleBytes);
        long window = Math.Min(limit, FirstWindow);
        while (true)
        {
            var head = new byte[window];
            file.Position = 0;
            file.ReadExactly(head);
            try
            {
                return Parse(head, file, source);
            }
            catch (PickleTruncatedException e) when (window < limit && e.Needed <= limit)
            {
                window = Math.Min(limit, Math.Max(e.Needed, 2 * window)); // the pickles are longer than the window read so far
            }
        }
    }

    private static OpenedCheckpoint Parse(byte[] head, FileStream file, string source)
    {
        int pos = 0;
        object? Header(string what) => PickleMachine.Run(head, pos, $"{source}: the {what} pickle", NoPersistentIds, out pos);

        if (Header("magic number") is not BigInteger magic || magic != Magic)
            throw new WeightFormatException($"{source} is a pickle but not a torch.save file (no magic number)");
        if (Header("protocol version") is not long version || version != ProtocolVersion)
            throw new WeightFormatException($"{source}: legacy torch.save protocol version is not {ProtocolVersion}");
        if (Header("sys_info") is not PyDict)
            throw new WeightFormatException($"{source}: legacy torch.save file has no sys_info dict");
        var storages = new LegacyStorages(source, file.Length);
        var root = PickleMachine.Run(head, pos, $"{source}: the object pickle", storages.Load, out pos);
        var keys = Header("storage key list");
        var reader = new FileRangeReader(file, source);
        LocateStorages(keys, storages, pos, file, reader, source);
        return new OpenedCheckpoint(root, reader, SourceFormats.TorchLegacy, new Dictionary<string, string>());
    }

    /// <summary>Walks the storages' data in key-list order: each an int64 count that must match the pickle, then its bytes.</summary>
    private static void LocateStorages(object? keyList, LegacyStorages storages, long offset, FileStream file, FileRangeReader reader, string source)
    {
        if (keyList is not List<object?> keys || keys.Any(k => k is not string))
            throw new WeightFormatException($"{source}: the storage key list is not a list of strings");
        if (keys.Count != storages.Roots.Count || keys.Distinct().Count() != keys.Count)
            throw new WeightFormatException($"{source}: the storage key list names {keys.Count} storages ({keys.Distinct().Count()} distinct) but the pickle uses {storages.Roots.Count} (storage count mismatch)");
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!storages.Roots.TryGetValue(key, out var storage))
                throw new WeightFormatException($"{source}: the storage key list names '{key}', which the pickle never uses (storage count mismatch)");
            if (offset > file.Length - 8)
                throw new WeightFormatException($"{source}: the file ends before storage '{key}' (truncated)");
            file.Position = offset;
            file.ReadExactly(count);
            long stored = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (stored != storage.ElementCount)
                throw new WeightFormatException($"{source}: storage '{key}' holds {stored} elements in the file but the pickle says {storage.ElementCount}");
            reader.Add(storage, offset + 8);
            offset += 8 + storage.ByteLength;
        }
        foreach (var (view, root, byteOffset) in storages.Views)
            reader.Add(view, reader.OffsetOf(root) + byteOffset);
    }

    private static object NoPersistentIds(PyTuple pid) =>
        throw new WeightFormatException("a legacy torch.save header pickle refers to a storage");
}
