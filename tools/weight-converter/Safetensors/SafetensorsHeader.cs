using System.Text.Json;

namespace NativeCam.Weights.Safetensors;

/// <summary>One tensor as a safetensors header describes it: dtype, shape and [Begin, End) within the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// Parses and checks a safetensors JSON header: <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
/// ..., "__metadata__": {"key": "text"}}</c>. Strict, as the safetensors library is: no repeated names, a known dtype,
/// non-negative shape and offsets, each tensor's byte count equal to its shape's, and the tensors, sorted by
/// offset, tiling the data section exactly: no gap, no overlap, nothing past its end.
/// </summary>
public static class SafetensorsHeader
{
    private const int MaxDepth = 8;

    public static (IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> json, long dataLength, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw new WeightFormatException($"{source}: the safetensors header is not valid JSON ({Torch.TorchArchive.OneLine(e.Message)})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "the header is not a JSON object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(source, $"the header names '{property.Name}' twice");
                if (property.Name == "__metadata__") ReadMetadata(property.Value, metadata, source);
                else entries.Add(ReadEntry(property.Name, property.Value, source));
            }
            CheckLayout(entries, dataLength, source);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> into, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(source, "__metadata__ is not an object");
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw Bad(source, $"__metadata__ '{p.Name}' is not a string");
            into[p.Name] = p.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(source, $"tensor '{name}' is not described by an object");
        string code = value.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : throw Bad(source, $"tensor '{name}' has no dtype");
        string dtype = SafetensorsDTypes.FromCode(code) ?? throw Bad(source, $"tensor '{name}' has dtype '{code}', which NativeCam does not read");
        long[] shape = Longs(value, "shape", name, source);
        long[] offsets = Longs(value, "data_offsets", name, source);
        if (shape.Length > Torch.TorchTensor.MaxDimensions) throw Bad(source, $"tensor '{name}' has more than {Torch.TorchTensor.MaxDimensions} dimensions");
        if (offsets.Length != 2 || offsets[0] > offsets[1]) throw Bad(source, $"tensor '{name}' has data_offsets that are not [begin, end]");
        long bytes = DTypes.SizeOf(dtype);
        try
        {
            foreach (long n in shape) bytes = checked(bytes * n);
        }
        catch (OverflowException)
        {
            throw Bad(source, $"tensor '{name}' has an absurdly large shape");
        }
        if (bytes != offsets[1] - offsets[0])
            throw Bad(source, $"tensor '{name}' of shape [{string.Join(", ", shape)}] {code} needs {bytes} bytes but its data_offsets span {offsets[1] - offsets[0]}");
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength, string source)
    {
        long expected = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.End > dataLength)
                throw Bad(source, $"tensor '{e.Name}' ends at byte {e.End} but the data section holds {dataLength} bytes (offsets out of range)");
            if (e.Begin < expected)
                throw Bad(source, $"tensor '{e.Name}' starts at byte {e.Begin}, inside '{previous!.Name}' which ends at {expected} (overlapping offsets)");
            if (e.Begin > expected)
                throw Bad(source, $"bytes {expected} to {e.Begin} of the data section belong to no tensor (gap in offsets)");
            expected = e.End;
            previous = e;
        }
        if (expected != dataLength)
            throw Bad(source, $"the tensors end at byte {expected} of the data section, which holds {dataLength} (trailing bytes)");
    }

    private static long[] Longs(JsonElement value, string field, string name, string source)
    {
        if (!value.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Bad(source, $"tensor '{name}' has no {field} array");
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw Bad(source, $"tensor '{name}' has a {field} entry that is not a non-negative integer");
            result[i++] = v;
        }
        return result;
    }

    private static WeightFormatException Bad(string source, string what) => new($"{source}: {what}");
}
