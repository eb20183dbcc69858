namespace NativeCam.Weights.Torch;

/// <summary>Byte-order fix for checkpoints saved on big-endian machines (`byteorder` = "big").</summary>
internal static class Endianness
{
    public static void SwapInPlace(Span<byte> data, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }
}
