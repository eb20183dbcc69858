using System.Buffers.Binary;
using NativeCam.Weights.Pickle;
using NativeCam.Weights.Torch;

namespace NativeCam.Weights.Safetensors;

/// <summary>
/// A <c>.safetensors</c> file: an 8-byte little-endian header length N, N bytes of JSON header
/// (<see cref="SafetensorsHeader"/>), then the data section holding every tensor's bytes, row-major and
/// little-endian. Nothing in it can run; the header is checked strictly before any tensor is read, and
/// tensors are then read one at a time from their checked ranges.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>The safetensors library's own header limit.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads and checks the header of <paramref name="file"/> (which the result then owns); the tensors become a state dict.</summary>
    public static OpenedCheckpoint Open(FileStream file, string source)
    {
        long length = file.Length;
        if (length < 8) throw new WeightFormatException($"{source} is too short for a safetensors file");
        Span<byte> prefix = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new WeightFormatException($"{source}: safetensors header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (hostile?)");
        if ((long)headerLength > length - 8)
            throw new WeightFormatException($"{source}: safetensors header length {headerLength} runs past the end of the {length}-byte file (truncated)");
        var json = new byte[headerLength];
        file.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = SafetensorsHeader.Parse(json, length - dataStart, source);

        var reader = new FileRangeReader(file, source);
        var stateDict = new PyDict();
        foreach (var e in entries)
        {
            var storage = new TorchStorage(e.Name, e.DType, (e.End - e.Begin) / DTypes.SizeOf(e.DType), "cpu");
            stateDict.Set(e.Name, TorchTensor.Create(storage, 0, e.Shape, RowMajorStrides(e.Shape)));
            reader.Add(storage, dataStart + e.Begin);
        }
        return new OpenedCheckpoint(stateDict, reader, SourceFormats.Safetensors, metadata);
    }

    private static long[] RowMajorStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = step;
            step *= shape[d]; // the product was bounded by the byte count; a zero dimension leaves no element to address
        }
        return strides;
    }
}
