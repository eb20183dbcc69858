using System.IO.Compression;
using System.Text;
using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// The zip container written by torch.save since PyTorch 1.6: `{prefix}/data.pkl` (the pickled
/// object), `{prefix}/data/{key}` (one entry per storage, raw element bytes), `{prefix}/version`
/// and sometimes `{prefix}/byteorder`. Reads entries on demand; never extracts to disk.
/// </summary>
public sealed class TorchArchive : IStorageReader
{
    /// <summary>data.pkl larger than this is not a weight checkpoint (yolov5n's is 83 KB).</summary>
    public const long MaxPickleBytes = 256L << 20;

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly Dictionary<string, TorchStorage> _storages = [];

    private TorchArchive(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string prefix, string source)
    {
        _zip = zip;
        _entries = entries;
        Prefix = prefix;
        Source = source;
        IsBigEndian = ReadSmallText("byteorder") == "big";
    }

    /// <summary>The folder name inside the zip (torch uses the file's stem, e.g. "archive").</summary>
    public string Prefix { get; }
    public string Source { get; }
    public bool IsBigEndian { get; }

    public static TorchArchive Open(Stream stream, string sourceName)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw NotAZip(sourceName, e);
        }
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        try
        {
            // The central directory is read on the first use of Entries: its errors are the zip's too.
            foreach (var e in zip.Entries) entries[e.FullName] = e;
        }
        catch (InvalidDataException e)
        {
            zip.Dispose();
            throw NotAZip(sourceName, e);
        }
        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
        {
            zip.Dispose();
            throw new WeightFormatException(pickles.Count == 0
                ? $"{sourceName} has no data.pkl: not a PyTorch checkpoint"
                : $"{sourceName} holds {pickles.Count} data.pkl entries; expected one");
        }
        return new TorchArchive(zip, entries, pickles[0][..^"/data.pkl".Length], sourceName);
    }

    /// <summary>Runs the pickle machine over data.pkl, resolving storages against this archive.</summary>
    public object? Unpickle()
    {
        var entry = _entries[$"{Prefix}/data.pkl"];
        if (entry.Length > MaxPickleBytes) throw new WeightFormatException($"{Source}: data.pkl is {entry.Length} bytes, more than a checkpoint needs");
        var bytes = new byte[entry.Length];
        ReadEntry(entry, bytes, "data.pkl");
        return PickleMachine.Run(bytes, LoadStorage);
    }

    /// <summary>Reads a storage's bytes (little-endian after this call) into <paramref name="destination"/>.</summary>
    public void ReadStorage(TorchStorage storage, Span<byte> destination)
    {
        ReadEntry(_entries[$"{Prefix}/data/{storage.Key}"], destination, $"storage '{storage.Key}'");
        if (IsBigEndian) Endianness.SwapInPlace(destination, storage.ElementSize);
    }

    /// <summary>BINPERSID: ('storage', torch.XStorage, key, location, numel) -> a described, size-checked storage.</summary>
    private TorchStorage LoadStorage(PyTuple pid)
    {
        if (pid.Count < 5 || pid[0] is not "storage" || pid[1] is not PyGlobal type || pid[2] is not string key || pid[4] is not long count)
            throw new WeightFormatException($"{Source}: data.pkl has a persistent id that is not a storage reference");
        if (_storages.TryGetValue(key, out var known)) return known;
        string dtype = DTypes.FromStorageClass(type.Module, type.Name)
            ?? throw new WeightFormatException($"{Source}: unsupported storage type {type.FullName}");
        if (!_entries.TryGetValue($"{Prefix}/data/{key}", out var entry))
            throw new WeightFormatException($"{Source}: storage '{key}' is missing from the zip");
        if (count < 0 || count > Array.MaxLength / DTypes.SizeOf(dtype))
            throw new WeightFormatException($"{Source}: storage '{key}' declares an absurd size of {count} elements");
        var storage = new TorchStorage(key, dtype, count, pid[3] as string ?? "cpu");
        if (entry.Length != storage.ByteLength)
            throw new WeightFormatException($"{Source}: storage '{key}' should hold {storage.ByteLength} bytes ({count} x {dtype}) but its zip entry has {entry.Length} (storage size mismatch)");
        _storages[key] = storage;
        return storage;
    }

    private void ReadEntry(ZipArchiveEntry entry, Span<byte> destination, string what)
    {
        try
        {
            using var s = entry.Open();
            s.ReadExactly(destination);
            if (s.ReadByte() != -1) throw new WeightFormatException($"{Source}: {what} is longer than its zip entry says");
            if (Crc32.Compute(destination) != entry.Crc32) throw new WeightFormatException($"{Source}: {what} fails its CRC check (corrupt)");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not WeightFormatException)
        {
            throw new WeightFormatException($"{Source}: {what} cannot be read (truncated or corrupt: {OneLine(e.Message)})");
        }
    }

    private string? ReadSmallText(string name)
    {
        if (!_entries.TryGetValue($"{Prefix}/{name}", out var entry) || entry.Length > 64) return null;
        var bytes = new byte[entry.Length];
        ReadEntry(entry, bytes, name);
        return Encoding.ASCII.GetString(bytes).Trim();
    }

    private static WeightFormatException NotAZip(string sourceName, InvalidDataException e) =>
        new($"{sourceName} is not a readable zip archive (truncated or corrupt: {OneLine(e.Message)})");

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    public void Dispose() => _zip.Dispose();
}
