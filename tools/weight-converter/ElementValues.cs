using System.Buffers.Binary;

namespace NativeCam.Weights;

/// <summary>Reads elements of any supported dtype from little-endian bytes as float32 or float64.</summary>
public static class ElementValues
{
    public static double ReadDouble(string dtype, ReadOnlySpan<byte> data, long index)
    {
        int i = checked((int)index);
        return dtype switch
        {
            DTypes.Float32 => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
            DTypes.Float16 => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..])),
            DTypes.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]) << 16),
            DTypes.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
            DTypes.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
            DTypes.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
            DTypes.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]),
            DTypes.Int8 => (sbyte)data[i],
            DTypes.UInt8 or DTypes.Bool => data[i],
            _ => throw new WeightFormatException($"unknown dtype '{dtype}'"),
        };
    }

    /// <summary>Every element as float32 (what the engine's tensors hold). Exact for float16/bfloat16/float32.</summary>
    public static void ToFloat32(string dtype, ReadOnlySpan<byte> data, Span<float> destination)
    {
        if (dtype == DTypes.Float32)
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)ReadDouble(dtype, data, i);
    }
}
