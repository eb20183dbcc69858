using CsCheck;

namespace NativeCam.Tests.Robustness;

/// <summary>One edit of a seed file: what to do (<see cref="Kind"/>), where, and with which values.</summary>
public readonly record struct Mutation(int Kind, int Position, int Other, byte Value)
{
    /// <summary>Kinds of edit: flip a bit, set a byte, truncate, splice a chunk from elsewhere, delete a chunk, write a boundary int32.</summary>
    public const int Kinds = 6;

    static readonly int[] Boundaries = [0, -1, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, int.MaxValue, int.MinValue];

    /// <summary>Applies the edit to a copy of <paramref name="data"/>.</summary>
    public byte[] Apply(byte[] data)
    {
        if (data.Length == 0) return data;
        int at = Position % data.Length;
        var copy = (byte[])data.Clone();
        switch (Kind)
        {
            case 0: copy[at] ^= (byte)(1 << (Value & 7)); return copy;
            case 1: copy[at] = Value; return copy;
            case 2: return data[..at];
            case 3:
            {
                int from = Other % data.Length, length = Math.Min(Value % 64 + 1, Math.Min(data.Length - from, data.Length - at));
                Array.Copy(data, from, copy, at, length);
                return copy;
            }
            case 4:
            {
                int length = Math.Min(Value % 32 + 1, data.Length - at);
                return [.. data[..at], .. data[(at + length)..]];
            }
            default:
            {
                if (at + 4 > copy.Length) return copy;
                BitConverter.TryWriteBytes(copy.AsSpan(at), Boundaries[Other % Boundaries.Length]);
                return copy;
            }
        }
    }
}

/// <summary>Generators of damaged files: valid seeds with a few random edits (bit flips, truncations, splices).</summary>
public static class Mutations
{
    /// <summary>One random edit.</summary>
    public static readonly Gen<Mutation> One = Gen.Select(Gen.Int[0, Mutation.Kinds - 1], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20], Gen.Byte)
        .Select((kind, position, other, value) => new Mutation(kind, position, other, value));

    /// <summary>A seed (by index) and one to six edits of it.</summary>
    public static Gen<(int Seed, Mutation[] Edits)> Of(int seedCount) => Gen.Select(Gen.Int[0, seedCount - 1], One.Array[1, 6]);

    /// <summary>The seed with every edit applied in order.</summary>
    public static byte[] Apply(byte[] seed, Mutation[] edits) => edits.Aggregate(seed, (data, edit) => edit.Apply(data));
}
