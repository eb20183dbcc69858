using System.Buffers;
using MessagePack;

namespace NativeCam.Weights.Format;

/// <summary>
/// Streams a NativeCam weight file: the header and metadata first, then one tensor at a time.
/// Only the small MessagePack headers pass through a buffer; tensor bytes go straight to the stream.
/// </summary>
public sealed class WeightFileWriter
{
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _headers = new(4096);
    private int _remaining;

    /// <summary>Writes the header, the metadata and the start of the tensor array (<paramref name="tensorCount"/> entries must follow).</summary>
    public WeightFileWriter(Stream stream, WeightMetadata metadata, int tensorCount)
    {
        _stream = stream;
        _remaining = tensorCount;
        var w = new MessagePackWriter(_headers);
        w.WriteArrayHeader(4);
        w.Write(WeightFileFormat.Magic);
        w.Write(WeightFileFormat.Version);
        WriteMetadata(ref w, metadata);
        w.WriteArrayHeader(tensorCount);
        FlushHeaders(ref w);
    }

    public void WriteTensor(string name, string dtype, ReadOnlySpan<int> shape, ReadOnlySpan<byte> data)
    {
        if (_remaining-- <= 0) throw new InvalidOperationException("more tensors written than announced");
        var w = new MessagePackWriter(_headers);
        w.WriteMapHeader(4);
        w.Write(MetadataKeys.TensorName);
        w.Write(name);
        w.Write(MetadataKeys.TensorDType);
        w.Write(dtype);
        w.Write(MetadataKeys.TensorShape);
        w.WriteArrayHeader(shape.Length);
        foreach (int d in shape) w.Write(d);
        w.Write(MetadataKeys.TensorData);
        w.WriteBinHeader(data.Length);
        FlushHeaders(ref w);
        _stream.Write(data);
    }

    /// <summary>Checks every announced tensor was written and flushes the stream.</summary>
    public void Complete()
    {
        if (_remaining != 0) throw new InvalidOperationException($"{_remaining} announced tensors were not written");
        _stream.Flush();
    }

    private void FlushHeaders(ref MessagePackWriter w)
    {
        w.Flush();
        _stream.Write(_headers.WrittenSpan);
        _headers.ResetWrittenCount();
    }

    private static void WriteMetadata(ref MessagePackWriter w, WeightMetadata m)
    {
        w.WriteMapHeader(10);
        w.Write(MetadataKeys.Architecture);
        w.Write(m.Architecture);
        w.Write(MetadataKeys.Config);
        PlainValueCodec.Write(ref w, m.Config);
        w.Write(MetadataKeys.ClassNames);
        w.WriteArrayHeader(m.ClassNames.Count);
        foreach (var n in m.ClassNames) w.Write(n);
        w.Write(MetadataKeys.Stride);
        w.WriteArrayHeader(m.Stride.Count);
        foreach (var s in m.Stride) w.Write(s);
        w.Write(MetadataKeys.Epoch);
        if (m.Epoch is long epoch) w.Write(epoch); else w.WriteNil();
        w.Write(MetadataKeys.Date);
        w.Write(m.Date);
        w.Write(MetadataKeys.Modules);
        w.WriteMapHeader(m.Modules.Count);
        foreach (var (path, record) in m.Modules)
        {
            w.Write(path);
            w.WriteMapHeader(2);
            w.Write(MetadataKeys.ModuleClass);
            w.Write(record.ClassName);
            w.Write(MetadataKeys.ModuleAttributes);
            PlainValueCodec.Write(ref w, record.Attributes.ToDictionary(a => a.Key, a => a.Value));
        }
        w.Write(MetadataKeys.SourceFile);
        w.Write(m.SourceFile);
        w.Write(MetadataKeys.SourceSha256);
        w.Write(m.SourceSha256);
        w.Write(MetadataKeys.Source);
        SourceCodec.Write(ref w, m.Source);
    }
}
