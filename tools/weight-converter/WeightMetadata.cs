namespace NativeCam.Weights;

/// <summary>What a weight file says about the network besides its tensors.</summary>
public sealed class WeightMetadata
{
    /// <summary>"yolov5", "yolov8", "vit-torchvision", "vit-timm", "vit-huggingface" or "unknown".</summary>
    public string Architecture { get; init; } = ArchitectureKinds.Unknown;

    /// <summary>The model's config as plain data (for YOLOv5 its yaml: nc, depth_multiple, width_multiple, anchors, backbone, head).</summary>
    public IReadOnlyDictionary<string, object?> Config { get; init; } = new Dictionary<string, object?>();

    /// <summary>Class names in class-index order; empty when the checkpoint has none.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Detection strides per output level (YOLOv5: 8, 16, 32); empty otherwise.</summary>
    public IReadOnlyList<double> Stride { get; init; } = [];

    public long? Epoch { get; init; }
    public string? Date { get; init; }

    /// <summary>Module records by module path ("model.17.cv3.act"; "" is the root), when the checkpoint
    /// pickled a whole nn.Module tree; empty for a plain state_dict.</summary>
    public IReadOnlyDictionary<string, ModuleRecord> Modules { get; init; } = new Dictionary<string, ModuleRecord>();

    /// <summary>File name (without folder) of the checkpoint this came from.</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>Lower-case hex SHA-256 of the source checkpoint's bytes.</summary>
    public string SourceSha256 { get; init; } = "";

    /// <summary>How the tensors were found in the source checkpoint: its format, wrapper key, stripped prefix, renames, model class.</summary>
    public WeightSource Source { get; init; } = new();
}

/// <summary>The architecture names a weight file may carry.</summary>
public static class ArchitectureKinds
{
    public const string Yolov5 = "yolov5";
    /// <summary>Ultralytics' anchor-free family (YOLOv8, YOLO11): a pickled <c>ultralytics.nn.tasks.DetectionModel</c>.</summary>
    public const string Yolov8 = "yolov8";
    public const string VitTorchvision = "vit-torchvision";
    public const string VitTimm = "vit-timm";
    /// <summary>A Hugging Face <c>ViTForImageClassification</c> (google/vit-base-patch16-224): <c>vit.embeddings…</c>,
    /// <c>vit.encoder.layer.N…</c>, <c>classifier</c>.</summary>
    public const string VitHuggingFace = "vit-huggingface";
    public const string Unknown = "unknown";

    /// <summary>Guesses the architecture from the class of the pickled model and the tensor names.</summary>
    public static string Detect(string? modelClass, bool hasYoloConfig, IEnumerable<string> tensorNames)
    {
        if (modelClass is "ultralytics.nn.tasks.DetectionModel") return Yolov8;
        if (modelClass is "models.yolo.Model" or "models.yolo.DetectionModel" || hasYoloConfig) return Yolov5;
        var names = tensorNames.ToHashSet(StringComparer.Ordinal);
        if (names.Contains("conv_proj.weight") && names.Contains("class_token")) return VitTorchvision;
        if (names.Contains("patch_embed.proj.weight") && names.Contains("cls_token")) return VitTimm;
        if (names.Contains("vit.embeddings.patch_embeddings.projection.weight") && names.Contains("vit.embeddings.cls_token")) return VitHuggingFace;
        return Unknown;
    }
}
