using NativeCam.Layers;
using NativeCam.Weights;

namespace NativeCam.Vit;

/// <summary>Which key names a ViT state dict uses.</summary>
public enum VitLayout { Timm, Torchvision }

/// <summary>
/// What <see cref="VitModel.Build"/> needs: the configuration and the weights under canonical timm/DeiT names
/// (<c>blocks.3.attn.qkv.weight</c>), whatever names the file used. torchvision names are renamed on load:
/// the two layouts hold the same tensors (torchvision's <c>in_proj_weight</c> packs q, k, v in timm's
/// <c>qkv</c> order), so one module tree runs both.
/// </summary>
public sealed record VitCheckpoint(VitConfig Config, StateDict Weights, VitLayout Layout)
{
    /// <summary>Reads a timm/DeiT or torchvision ViT state dict (<c>.pt</c> or converted <c>.msgpack</c>).</summary>
    /// <param name="heads">Attention heads, when the hidden width is not ViT-B's 768 (the file does not record it).</param>
    public static VitCheckpoint Load(string path, int? heads = null) => FromWeights(WeightFile.Load(path), Path.GetFileName(path), heads);

    public static VitCheckpoint FromWeights(WeightFile file, string name, int? heads = null)
    {
        var layout = file.Metadata.Architecture switch
        {
            ArchitectureKinds.VitTimm => VitLayout.Timm,
            ArchitectureKinds.VitTorchvision => VitLayout.Torchvision,
            var other => throw new InvalidDataException($"{name} is not a ViT checkpoint (architecture: {other})"),
        };
        return FromTensors(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))), layout, heads);
    }

    /// <summary>Builds a checkpoint from named tensors in <paramref name="layout"/>, inferring the configuration.</summary>
    public static VitCheckpoint FromTensors(IEnumerable<KeyValuePair<string, HostTensor>> tensors, VitLayout layout, int? heads = null)
    {
        var canonical = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var (key, t) in tensors)
        {
            string name = layout == VitLayout.Torchvision ? TimmName(key) : key;
            if (!canonical.TryAdd(name, t)) throw new InvalidDataException($"ViT checkpoint has two tensors for '{name}' (one is '{key}')");
        }
        var config = VitConfig.Infer(canonical.ToDictionary(p => p.Key, p => p.Value.Shape), heads);
        return new VitCheckpoint(config, new StateDict(canonical), layout);
    }

    /// <summary>
    /// The timm name of a torchvision ViT key (names it does not know pass through unchanged, so the
    /// builder reports them as unused): <c>encoder.layers.encoder_layer_3.self_attention.in_proj_weight</c> →
    /// <c>blocks.3.attn.qkv.weight</c>, <c>.mlp.0</c> / <c>.mlp.linear_1</c> → <c>.mlp.fc1</c>, <c>conv_proj</c> →
    /// <c>patch_embed.proj</c>, <c>heads.head</c> → <c>head</c>.
    /// </summary>
    public static string TimmName(string key)
    {
        switch (key)
        {
            case "class_token": return "cls_token";
            case "encoder.pos_embedding": return "pos_embed";
        }
        foreach (var (from, to) in Top)
            if (key.StartsWith(from, StringComparison.Ordinal)) return to + key[from.Length..];
        const string layer = "encoder.layers.encoder_layer_";
        if (!key.StartsWith(layer, StringComparison.Ordinal)) return key;
        int dot = key.IndexOf('.', layer.Length);
        if (dot < 0 || !int.TryParse(key.AsSpan(layer.Length, dot - layer.Length), out int index)) return key;
        string rest = key[(dot + 1)..];
        foreach (var (from, to) in InBlock)
            if (rest.StartsWith(from, StringComparison.Ordinal)) return $"blocks.{index}.{to}{rest[from.Length..]}";
        return key;
    }

    static readonly (string From, string To)[] Top =
    [
        ("conv_proj.", "patch_embed.proj."),
        ("encoder.ln.", "norm."),
        ("heads.head.", "head."),
    ];

    static readonly (string From, string To)[] InBlock =
    [
        ("ln_1.", "norm1."),
        ("ln_2.", "norm2."),
        ("self_attention.in_proj_", "attn.qkv."),
        ("self_attention.out_proj.", "attn.proj."),
        ("mlp.0.", "mlp.fc1."),
        ("mlp.3.", "mlp.fc2."),
        ("mlp.linear_1.", "mlp.fc1."),
        ("mlp.linear_2.", "mlp.fc2."),
    ];
}
