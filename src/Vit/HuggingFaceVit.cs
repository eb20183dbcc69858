using System.Globalization;
using System.Text.Json;
using NativeCam.Layers;

namespace NativeCam.Vit;

/// <summary>
/// Hugging Face <c>ViTForImageClassification</c> files (google/vit-base-patch16-224: <c>model.safetensors</c> or
/// <c>pytorch_model.bin</c>, with <c>config.json</c> and <c>preprocessor_config.json</c> beside them) mapped onto the
/// timm module tree (docs/vit.md#hugging-face-files): keys renamed, the separate query/key/value linears stacked into
/// timm's fused <c>qkv</c> (rows q, then k, then v: the same head split), and from config.json the LayerNorm eps
/// (default 1e-12, ViTConfig's) and head count; from preprocessor_config.json the mean and std (default 0.5).
/// </summary>
public static class HuggingFaceVit
{
    const string Prefix = "vit.";

    /// <summary>What the JSON files beside the weights say (defaults where they are absent).</summary>
    public sealed record Settings(double LayerNormEps, int? Heads, VitInput Input, IReadOnlyList<string>? ClassNames);

    /// <summary>The timm-named tensors of a Hugging Face state dict; names it does not know pass through unchanged
    /// (so the builder reports them as unused, e.g. a <c>vit.pooler</c>).</summary>
    public static Dictionary<string, HostTensor> ToTimm(IEnumerable<KeyValuePair<string, HostTensor>> tensors)
    {
        var renamed = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        var qkv = new Dictionary<string, HostTensor?[]>(StringComparer.Ordinal); // "blocks.N.attn.qkv.weight" → q, k, v
        foreach (var (key, t) in tensors)
        {
            string name = TimmName(key);
            int part = name.EndsWith(".q", StringComparison.Ordinal) ? 0 : name.EndsWith(".k", StringComparison.Ordinal) ? 1
                : name.EndsWith(".v", StringComparison.Ordinal) ? 2 : -1;
            if (part >= 0)
            {
                var parts = qkv.TryGetValue(name[..^2], out var p) ? p : qkv[name[..^2]] = new HostTensor?[3];
                parts[part] = t;
            }
            else if (!renamed.TryAdd(name, t))
                throw new InvalidDataException($"ViT checkpoint has two tensors for '{name}' (one is '{key}')");
        }
        foreach (var (name, parts) in qkv)
        {
            if (parts.Any(p => p is null))
                throw new InvalidDataException($"Hugging Face ViT: '{name}' needs query, key and value; one is missing");
            var (q, k, v) = (parts[0]!, parts[1]!, parts[2]!);
            if (!q.Shape.SequenceEqual(k.Shape) || !q.Shape.SequenceEqual(v.Shape))
                throw new InvalidDataException($"Hugging Face ViT: query, key and value of '{name}' differ in shape");
            renamed[name] = new HostTensor([.. q.Data, .. k.Data, .. v.Data], [3 * q.Shape[0], .. q.Shape[1..]]);
        }
        if (!renamed.ContainsKey("head.weight"))
            throw new InvalidDataException("Hugging Face ViT: no 'classifier' (a ViTModel without a classification head has no class to explain)");
        return renamed;
    }

    /// <summary>
    /// The timm name of a Hugging Face ViT key: <c>vit.encoder.layer.3.attention.attention.query.weight</c> →
    /// <c>blocks.3.attn.qkv.weight.q</c> (a part, stacked by <see cref="ToTimm"/>), <c>…attention.output.dense</c> →
    /// <c>attn.proj</c>, <c>intermediate.dense</c> / <c>output.dense</c> → <c>mlp.fc1</c> / <c>mlp.fc2</c>,
    /// <c>layernorm_before</c> / <c>_after</c> → <c>norm1</c> / <c>norm2</c>, <c>vit.layernorm</c> → <c>norm</c>,
    /// <c>classifier</c> → <c>head</c>.
    /// </summary>
    public static string TimmName(string key)
    {
        switch (key)
        {
            case "vit.embeddings.cls_token": return "cls_token";
            case "vit.embeddings.position_embeddings": return "pos_embed";
        }
        foreach (var (from, to) in Top)
            if (key.StartsWith(from, StringComparison.Ordinal)) return to + key[from.Length..];
        const string layer = Prefix + "encoder.layer.";
        if (!key.StartsWith(layer, StringComparison.Ordinal)) return key;
        int dot = key.IndexOf('.', layer.Length);
        if (dot < 0 || !int.TryParse(key.AsSpan(layer.Length, dot - layer.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return key;
        string rest = key[(dot + 1)..];
        foreach (var (from, to, part) in InLayer)
            if (rest.StartsWith(from, StringComparison.Ordinal)) return $"blocks.{index}.{to}{rest[from.Length..]}{part}";
        return key;
    }

    static readonly (string From, string To)[] Top =
    [
        ("vit.embeddings.patch_embeddings.projection.", "patch_embed.proj."),
        ("vit.layernorm.", "norm."),
        ("classifier.", "head."),
    ];

    static readonly (string From, string To, string Part)[] InLayer =
    [
        ("attention.attention.query.", "attn.qkv.", ".q"),
        ("attention.attention.key.", "attn.qkv.", ".k"),
        ("attention.attention.value.", "attn.qkv.", ".v"),
        ("attention.output.dense.", "attn.proj.", ""),
        ("intermediate.dense.", "mlp.fc1.", ""),
        ("output.dense.", "mlp.fc2.", ""),
        ("layernorm_before.", "norm1.", ""),
        ("layernorm_after.", "norm2.", ""),
    ];

    /// <summary>
    /// Reads <c>config.json</c> and <c>preprocessor_config.json</c> from <paramref name="folder"/> when they are there
    /// (a Hugging Face model folder); either may be absent (then ViTConfig's and ViTImageProcessor's defaults hold).
    /// Only exact GELU (<c>hidden_act</c> "gelu") is run; a config that asks for another activation is refused.
    /// </summary>
    public static Settings Read(string? folder)
    {
        double eps = 1e-12;
        int? heads = null;
        IReadOnlyList<string>? names = null;
        var input = VitInput.HuggingFace;
        if (folder is not null && Json(Path.Combine(folder, "config.json")) is { } config)
        {
            if (config.TryGetProperty("layer_norm_eps", out var e) && e.ValueKind == JsonValueKind.Number) eps = e.GetDouble();
            if (config.TryGetProperty("num_attention_heads", out var h) && h.ValueKind == JsonValueKind.Number) heads = h.GetInt32();
            if (config.TryGetProperty("hidden_act", out var act) && act.GetString() is { } a && a != "gelu")
                throw new InvalidDataException($"Hugging Face ViT: config.json asks for hidden_act '{a}'; only 'gelu' (exact) is supported");
            names = Labels(config);
        }
        if (folder is not null && Json(Path.Combine(folder, "preprocessor_config.json")) is { } pre)
        {
            var mean = Triple(pre, "image_mean") ?? input.Mean;
            var std = Triple(pre, "image_std") ?? input.Std;
            if (pre.TryGetProperty("do_normalize", out var n) && n.ValueKind == JsonValueKind.False) (mean, std) = ([0f, 0f, 0f], [1f, 1f, 1f]);
            input = input with { Mean = mean, Std = std };
        }
        return new Settings(eps, heads, input, names);
    }

    static JsonElement? Json(string path)
    {
        if (!File.Exists(path)) return null;
        var info = new FileInfo(path);
        if (info.Length > 16 << 20) throw new InvalidDataException($"{info.Name} is {info.Length} bytes: too large for a model config");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone()
                : throw new InvalidDataException($"{info.Name} is not a JSON object");
        }
        catch (JsonException e) { throw new InvalidDataException($"{info.Name} is not valid JSON: {e.Message}"); }
    }

    static float[]? Triple(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        float[] values = v.ValueKind switch
        {
            JsonValueKind.Number => [v.GetSingle(), v.GetSingle(), v.GetSingle()],
            JsonValueKind.Array when v.GetArrayLength() == 3 && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number)
                => v.EnumerateArray().Select(x => x.GetSingle()).ToArray(),
            _ => throw new InvalidDataException($"preprocessor_config.json: {name} is not a number or 3 numbers"),
        };
        return values;
    }

    // id2label {"0": "tench, Tinca tinca", ...} as a list when it names 0..n−1 exactly.
    static IReadOnlyList<string>? Labels(JsonElement config)
    {
        if (!config.TryGetProperty("id2label", out var map) || map.ValueKind != JsonValueKind.Object) return null;
        var labels = new SortedDictionary<int, string>();
        foreach (var p in map.EnumerateObject())
            if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || p.Value.GetString() is not { } label
                || !labels.TryAdd(id, label)) return null;
        bool placeholders = labels.All(l => l.Value == $"LABEL_{l.Key}"); // transformers' default when the config names none
        return labels.Count > 0 && labels.Keys.Last() == labels.Count - 1 && !placeholders ? labels.Values.ToArray() : null;
    }
}
