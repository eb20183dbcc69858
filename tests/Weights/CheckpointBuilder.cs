using System.IO.Compression;

namespace NativeCam.Tests.Weights;

/// <summary>Assembles a torch.save-style zip (archive/data.pkl, archive/data/&lt;key&gt;, archive/version) from parts.</summary>
public sealed class CheckpointBuilder
{
    private readonly List<(string Name, byte[] Bytes)> _entries = [];

    public CheckpointBuilder Pickle(byte[] pickle) => Entry("archive/data.pkl", pickle);
    public CheckpointBuilder Storage(string key, byte[] bytes) => Entry($"archive/data/{key}", bytes);
    public CheckpointBuilder Version() => Entry("archive/version", "3\n"u8.ToArray());
    public CheckpointBuilder Entry(string name, byte[] bytes) { _entries.Add((name, bytes)); return this; }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public byte[] ToArray()
    {
        var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in _entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(bytes);
            }
        }
        return memory.ToArray();
    }

    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, ToArray());
        return path;
    }

    /// <summary>A zip whose data.pkl is the given pickle and that has no storages.</summary>
    public static byte[] WithPickle(byte[] pickle) => new CheckpointBuilder().Pickle(pickle).Version().ToArray();
}
