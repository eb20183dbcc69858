using NativeCam.Layers;
using NativeCam.Weights;

namespace NativeCam.Vit;

/// <summary>Which key names a ViT state dict uses.</summary>
public enum VitLayout { Timm, Torchvision, HuggingFace }

/// <summary>
/// What <see cref="VitModel.Build"/> needs: the configuration and the weights under canonical timm/DeiT names
/// (<c>blocks.3.attn.qkv.weight</c>), whatever names the file used. torchvision names are renamed on load:
/// the two layouts hold the same tensors (torchvision's <c>in_proj_weight</c> packs q, k, v in timm's
/// <c>qkv</c> order), so one module tree runs both. Hugging Face files are mapped by <see cref="HuggingFaceVit"/>.
/// <see cref="Input"/> is the preprocessing the weights expect; <see cref="ClassNames"/> the file's own class names
/// (Hugging Face's <c>id2label</c>), null when it has none.
/// </summary>
public sealed record VitCheckpoint(VitConfig Config, StateDict Weights, VitLayout Layout)
{
    /// <summary>How the input image is prepared for these weights.</summary>
    public VitInput Input { get; init; } = VitInput.Torchvision;

    /// <summary>Class names the file carries, in class order; null to use <see cref="ImageNetClasses.For"/>.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Reads a timm/DeiT, torchvision or Hugging Face ViT state dict (<c>.pt</c>/<c>.bin</c>, <c>.safetensors</c>
    /// or converted <c>.msgpack</c>); for a Hugging Face file, config.json and preprocessor_config.json beside it too.</summary>
    /// <param name="heads">Attention heads, when the hidden width is not ViT-B's 768 and no config.json says it.</param>
    public static VitCheckpoint Load(string path, int? heads = null) =>
        FromWeights(WeightFile.Load(path), Path.GetFileName(path), heads, Path.GetDirectoryName(Path.GetFullPath(path)));

    /// <summary>The checkpoint of a loaded weight file; <paramref name="folder"/>: where a Hugging Face file's JSON
    /// configs are looked for (null: none, their defaults hold).</summary>
    public static VitCheckpoint FromWeights(WeightFile file, string name, int? heads = null, string? folder = null)
    {
        var layout = file.Metadata.Architecture switch
        {
            ArchitectureKinds.VitTimm => VitLayout.Timm,
            ArchitectureKinds.VitTorchvision => VitLayout.Torchvision,
            ArchitectureKinds.VitHuggingFace => VitLayout.HuggingFace,
            var other => throw new InvalidDataException($"{name} is not a ViT checkpoint (architecture: {other})"),
        };
        var tensors = file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape)));
        if (layout != VitLayout.HuggingFace) return FromTensors(tensors, layout, heads);
        var settings = HuggingFaceVit.Read(folder);
        return FromTensors(tensors, layout, heads ?? settings.Heads, settings.LayerNormEps) with
        {
            Input = settings.Input,
            ClassNames = settings.ClassNames?.Count == 0 ? null : settings.ClassNames,
        };
    }

    /// <summary>Builds a checkpoint from named tensors in <paramref name="layout"/>, inferring the configuration.
    /// <paramref name="layerNormEps"/>: null for the layout's own (1e-6 timm and torchvision, 1e-12 Hugging Face).</summary>
    public static VitCheckpoint FromTensors(IEnumerable<KeyValuePair<string, HostTensor>> tensors, VitLayout layout, int? heads = null,
        double? layerNormEps = null)
    {
        var canonical = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        if (layout == VitLayout.HuggingFace) canonical = HuggingFaceVit.ToTimm(tensors);
        else
            foreach (var (key, t) in tensors)
            {
                string name = layout == VitLayout.Torchvision ? TimmName(key) : key;
                if (!canonical.TryAdd(name, t)) throw new InvalidDataException($"ViT checkpoint has two tensors for '{name}' (one is '{key}')");
            }
        double eps = layerNormEps ?? (layout == VitLayout.HuggingFace ? 1e-12 : 1e-6);
        var config = VitConfig.Infer(canonical.ToDictionary(p => p.Key, p => p.Value.Shape), heads, eps);
        return new VitCheckpoint(config, new StateDict(canonical), layout)
        {
            Input = layout == VitLayout.HuggingFace ? VitInput.HuggingFace : VitInput.Torchvision,
        };
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
