using System.Buffers.Binary;

namespace NativeCam.Tests.Weights;

/// <summary>
/// Assembles a legacy (pre-1.6) torch.save file from parts: the magic number, protocol version and
/// sys_info pickles, the object pickle, the storage key list pickle, then each storage as an int64
/// element count and its bytes. Each part can be replaced to craft broken and hostile files.
/// </summary>
public sealed class LegacyBuilder
{
    /// <summary>PROTO 2, LONG1 of 10 bytes 0x1950a86a20f9469cfc6c, STOP: what torch.save writes first.</summary>
    public static readonly byte[] MagicPickle = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    public byte[] Magic { get; set; } = MagicPickle;
    public byte[] Version { get; set; } = new PickleBuilder().Proto().Int(1001).Stop().ToArray();
    public byte[] SysInfo { get; set; } = new PickleBuilder().Proto().EmptyDict().Mark()
        .Str("protocol_version").Int(1001).Str("little_endian").Op(0x88).SetItems().Stop().ToArray();
    public byte[] Object { get; set; } = [];
    public string[] Keys { get; set; } = [];
    public List<(long Count, byte[] Bytes)> Storages { get; } = [];

    public LegacyBuilder Storage(long count, byte[] bytes) { Storages.Add((count, bytes)); return this; }

    /// <summary>The key list pickle: PROTO 2, a list of strings, STOP.</summary>
    public static byte[] KeyList(params string[] keys)
    {
        var p = new PickleBuilder().Proto().EmptyList().Mark();
        foreach (var k in keys) p.Str(k);
        return p.Appends().Stop().ToArray();
    }

    public byte[] ToArray()
    {
        var s = new MemoryStream();
        foreach (var part in new[] { Magic, Version, SysInfo, Object, KeyList(Keys) }) s.Write(part);
        Span<byte> count = stackalloc byte[8];
        foreach (var (n, bytes) in Storages)
        {
            BinaryPrimitives.WriteInt64LittleEndian(count, n);
            s.Write(count);
            s.Write(bytes);
        }
        return s.ToArray();
    }

    /// <summary>A legacy state dict {'w': tensor of <paramref name="size"/>} over one FloatStorage '0' of <paramref name="declared"/> elements.</summary>
    public static LegacyBuilder OneTensor(long declared, long[] size, params float[] stored)
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w")
            .LegacyTensor("FloatStorage", "0", declared, null, 0, size, RowMajor(size)).SetItem().Stop().ToArray();
        return new LegacyBuilder { Object = pickle, Keys = ["0"] }.Storage(stored.Length, CheckpointBuilder.Floats(stored));
    }

    private static long[] RowMajor(long[] size)
    {
        var stride = new long[size.Length];
        long step = 1;
        for (int d = size.Length - 1; d >= 0; d--) { stride[d] = step; step *= size[d]; }
        return stride;
    }
}
