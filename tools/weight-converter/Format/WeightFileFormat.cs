using System.Text;

namespace NativeCam.Weights.Format;

/// <summary>What a file holds, judged from its first bytes.</summary>
public enum WeightFileKind { Unknown, NativeCam, TorchZip, TorchLegacy, Safetensors }

/// <summary>Constants of the NativeCam weight format (see docs/weights-format.md) and content sniffing.</summary>
public static class WeightFileFormat
{
    /// <summary>The first element of the top-level array.</summary>
    public const string Magic = "NativeCamWeights";
    public const int Version = 1;

    /// <summary>A file starts with: fixarray(4) 0x94, fixstr(16) 0xb0, then the 16 magic bytes.</summary>
    public static readonly byte[] Signature = [0x94, 0xb0, .. Encoding.ASCII.GetBytes(Magic)];

    public static WeightFileKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Signature)) return WeightFileKind.NativeCam;
        if (head.StartsWith("PK"u8)) return WeightFileKind.TorchZip;
        // safetensors: an 8-byte little-endian header length, then the JSON header's '{'.
        if (head.Length >= 9 && head[8] == (byte)'{') return WeightFileKind.Safetensors;
        // torch.save before 1.6 (or with _use_new_zipfile_serialization=False): a bare pickle stream.
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5) return WeightFileKind.TorchLegacy;
        return WeightFileKind.Unknown;
    }

    public static WeightFileKind Detect(string path)
    {
        using var file = File.OpenRead(path);
        return Detect(file);
    }

    /// <summary>Sniffs the stream's first bytes and rewinds it.</summary>
    public static WeightFileKind Detect(Stream stream)
    {
        Span<byte> head = stackalloc byte[Signature.Length];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return Detect(head[..n]);
    }

    /// <summary>The <see cref="SourceFormats"/> name of a kind of file; null for <see cref="WeightFileKind.Unknown"/>.</summary>
    public static string? FormatName(WeightFileKind kind) => kind switch
    {
        WeightFileKind.NativeCam => SourceFormats.NativeCam,
        WeightFileKind.TorchZip => SourceFormats.TorchZip,
        WeightFileKind.TorchLegacy => SourceFormats.TorchLegacy,
        WeightFileKind.Safetensors => SourceFormats.Safetensors,
        _ => null,
    };

    /// <summary>The error for a file in none of the formats NativeCam reads.</summary>
    public static WeightFormatException Unsupported(string path) =>
        new($"{Path.GetFileName(path)} is not a weight file NativeCam reads (a PyTorch zip or legacy checkpoint, safetensors, or a NativeCam weight file)");
}
