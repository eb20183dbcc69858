using System.Buffers.Binary;

namespace NativeCam.Weights.Torch;

/// <summary>Widening of half-precision elements to float32. Exact: every float16 and bfloat16 value is a float32 value.</summary>
public static class ElementConversion
{
    public static void Convert(string from, string to, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }
        int n = source.Length / 2;
        switch (from, to)
        {
            case (DTypes.Float16, DTypes.Float32):
                for (int i = 0; i < n; i++)
                {
                    var h = BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], (float)h);
                }
                break;
            case (DTypes.BFloat16, DTypes.Float32):
                for (int i = 0; i < n; i++)
                {
                    uint bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16;
                    BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * i)..], bits);
                }
                break;
            default:
                throw new NotSupportedException($"no conversion from {from} to {to}");
        }
    }
}
