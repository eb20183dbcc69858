using MessagePack;

namespace NativeCam.Weights.Format;

/// <summary>
/// The metadata's <c>source</c> map: how the tensors were found in the converted checkpoint
/// (<see cref="WeightSource"/>). Files written before it existed lack the map; they were converted from
/// zip checkpoints, which is what a missing map reads as.
/// </summary>
internal static class SourceCodec
{
    private const string Format = "format";
    private const string WrapperKey = "wrapper_key";
    private const string StrippedPrefix = "stripped_prefix";
    private const string RenamedKeys = "renamed_keys";
    private const string ModuleClass = "module_class";
    private const string FileMetadata = "file_metadata";

    public static void Write(ref MessagePackWriter w, WeightSource s)
    {
        w.WriteMapHeader(6);
        w.Write(Format);
        w.Write(s.Format);
        w.Write(WrapperKey);
        w.Write(s.WrapperKey);
        w.Write(StrippedPrefix);
        w.Write(s.StrippedPrefix);
        w.Write(RenamedKeys);
        w.Write(s.RenamedKeys);
        w.Write(ModuleClass);
        w.Write(s.ModuleClass);
        w.Write(FileMetadata);
        w.WriteMapHeader(s.FileMetadata.Count);
        foreach (var (k, v) in s.FileMetadata)
        {
            w.Write(k);
            w.Write(v);
        }
    }

    /// <summary>Reads the map; unknown keys are skipped, as everywhere in the format.</summary>
    public static WeightSource Read(ref MessagePackReader r)
    {
        var s = new WeightSource();
        for (int n = r.ReadMapHeader(), i = 0; i < n; i++)
        {
            switch (r.ReadString())
            {
                case Format: s = s with { Format = r.ReadString() ?? s.Format }; break;
                case WrapperKey: s = s with { WrapperKey = r.ReadString() }; break;
                case StrippedPrefix: s = s with { StrippedPrefix = r.ReadString() }; break;
                case RenamedKeys: s = s with { RenamedKeys = r.ReadInt32() }; break;
                case ModuleClass: s = s with { ModuleClass = r.ReadString() }; break;
                case FileMetadata:
                    var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                    for (int m = r.ReadMapHeader(), j = 0; j < m; j++)
                    {
                        string key = r.ReadString() ?? "";
                        metadata[key] = r.ReadString() ?? "";
                    }
                    s = s with { FileMetadata = metadata };
                    break;
                default: r.Skip(); break;
            }
        }
        return s;
    }
}
