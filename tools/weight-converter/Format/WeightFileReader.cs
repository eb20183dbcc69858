using MessagePack;

namespace NativeCam.Weights.Format;

/// <summary>
/// Reads a NativeCam weight file. The file is read into one array; each tensor's data is a slice
/// of it (no second copy). Unknown map keys are skipped, so later format additions stay readable.
/// </summary>
public static class WeightFileReader
{
    public static WeightFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Read(bytes);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException
            or ArgumentOutOfRangeException) // MessagePackReader.Skip of a length beyond the file
        {
            throw new WeightFormatException($"{Path.GetFileName(path)} is a truncated or corrupt NativeCam weight file ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    public static WeightFile Read(ReadOnlyMemory<byte> file)
    {
        var r = new MessagePackReader(file);
        if (r.ReadArrayHeader() < 4 || r.ReadString() != WeightFileFormat.Magic)
            throw new WeightFormatException("not a NativeCam weight file (bad magic)");
        int version = r.ReadInt32();
        if (version != WeightFileFormat.Version)
            throw new WeightFormatException($"NativeCam weight file version {version} is not supported (this build reads version {WeightFileFormat.Version})");
        var metadata = ReadMetadata(ref r);
        int count = r.ReadArrayHeader();
        var tensors = new List<WeightTensor>(Math.Min(count, 1 << 16));
        for (int i = 0; i < count; i++) tensors.Add(ReadTensor(ref r, file));
        return new WeightFile(metadata, tensors);
    }

    private static WeightTensor ReadTensor(ref MessagePackReader r, ReadOnlyMemory<byte> file)
    {
        string? name = null, dtype = null;
        int[]? shape = null;
        ReadOnlyMemory<byte>? data = null;
        int fields = r.ReadMapHeader();
        for (int f = 0; f < fields; f++)
        {
            switch (r.ReadString())
            {
                case MetadataKeys.TensorName: name = r.ReadString(); break;
                case MetadataKeys.TensorDType: dtype = r.ReadString(); break;
                case MetadataKeys.TensorShape:
                    shape = new int[r.ReadArrayHeader()];
                    for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt32();
                    break;
                case MetadataKeys.TensorData:
                    // The bin payload is a slice of `file`: find where it starts and take it without copying.
                    var bin = r.ReadBytes() ?? throw new WeightFormatException("tensor data is nil");
                    long end = r.Consumed;
                    data = file.Slice((int)(end - bin.Length), (int)bin.Length);
                    break;
                default: r.Skip(); break;
            }
        }
        if (name is null || dtype is null || shape is null || data is null)
            throw new WeightFormatException($"tensor record {name ?? "(unnamed)"} lacks one of name, dtype, shape, data");
        return new WeightTensor(name, dtype, shape, data.Value);
    }

    private static WeightMetadata ReadMetadata(ref MessagePackReader r)
    {
        string architecture = ArchitectureKinds.Unknown, sourceFile = "", sha = "";
        IReadOnlyDictionary<string, object?> config = new Dictionary<string, object?>();
        var classNames = new List<string>();
        var stride = new List<double>();
        long? epoch = null;
        string? date = null;
        var modules = new Dictionary<string, ModuleRecord>(StringComparer.Ordinal);
        var source = new WeightSource();
        int fields = r.ReadMapHeader();
        for (int f = 0; f < fields; f++)
        {
            switch (r.ReadString())
            {
                case MetadataKeys.Architecture: architecture = r.ReadString() ?? architecture; break;
                case MetadataKeys.Config:
                    config = PlainValueCodec.Read(ref r) as Dictionary<string, object?> ?? new Dictionary<string, object?>();
                    break;
                case MetadataKeys.ClassNames:
                    for (int n = r.ReadArrayHeader(), i = 0; i < n; i++) classNames.Add(r.ReadString() ?? "");
                    break;
                case MetadataKeys.Stride:
                    for (int n = r.ReadArrayHeader(), i = 0; i < n; i++) stride.Add(r.ReadDouble());
                    break;
                case MetadataKeys.Epoch: epoch = r.TryReadNil() ? null : r.ReadInt64(); break;
                case MetadataKeys.Date: date = r.ReadString(); break;
                case MetadataKeys.Modules:
                    for (int n = r.ReadMapHeader(), i = 0; i < n; i++)
                    {
                        string path = r.ReadString() ?? "";
                        string cls = "";
                        IReadOnlyDictionary<string, object?> attributes = new Dictionary<string, object?>();
                        for (int m = r.ReadMapHeader(), j = 0; j < m; j++)
                        {
                            switch (r.ReadString())
                            {
                                case MetadataKeys.ModuleClass: cls = r.ReadString() ?? ""; break;
                                case MetadataKeys.ModuleAttributes:
                                    attributes = PlainValueCodec.Read(ref r) as Dictionary<string, object?> ?? new Dictionary<string, object?>();
                                    break;
                                default: r.Skip(); break;
                            }
                        }
                        modules[path] = new ModuleRecord(cls, attributes);
                    }
                    break;
                case MetadataKeys.SourceFile: sourceFile = r.ReadString() ?? ""; break;
                case MetadataKeys.SourceSha256: sha = r.ReadString() ?? ""; break;
                case MetadataKeys.Source: source = SourceCodec.Read(ref r); break;
                default: r.Skip(); break;
            }
        }
        return new WeightMetadata
        {
            Architecture = architecture, Config = config, ClassNames = classNames, Stride = stride,
            Epoch = epoch, Date = date, Modules = modules, SourceFile = sourceFile, SourceSha256 = sha,
            Source = source,
        };
    }
}
