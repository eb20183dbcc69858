namespace NativeCam.Weights;

/// <summary>The container formats NativeCam reads, as <see cref="WeightSource.Format"/> names them.</summary>
public static class SourceFormats
{
    /// <summary>torch.save since PyTorch 1.6: a zip with data.pkl and one entry per storage.</summary>
    public const string TorchZip = "pytorch-zip";

    /// <summary>torch.save before 1.6 (or with _use_new_zipfile_serialization=False): pickles back to back, then raw storages.</summary>
    public const string TorchLegacy = "pytorch-legacy";

    /// <summary>Hugging Face safetensors: an 8-byte header length, a JSON header, raw tensor bytes.</summary>
    public const string Safetensors = "safetensors";

    /// <summary>NativeCam's own MessagePack weight file.</summary>
    public const string NativeCam = "nativecam";
}

/// <summary>
/// How the tensors were found in the file they came from: its container format, the training-checkpoint
/// key that wrapped them, a DataParallel prefix taken off, old names renamed, and the class of a pickled
/// module. A converted file keeps the record of the checkpoint it was converted from.
/// </summary>
public sealed record WeightSource
{
    /// <summary>One of <see cref="SourceFormats"/>: the format of the original checkpoint.</summary>
    public string Format { get; init; } = SourceFormats.TorchZip;

    /// <summary>The key of a training checkpoint the model sat under ('state_dict', 'model', 'model_state_dict', 'ema'); null for a bare model.</summary>
    public string? WrapperKey { get; init; }

    /// <summary>The prefix taken off every name ("module." of DataParallel / DistributedDataParallel); null if none.</summary>
    public string? StrippedPrefix { get; init; }

    /// <summary>How many names were renamed from an older layout (torchvision's original DenseNet files: <c>norm.1</c> → <c>norm1</c>).</summary>
    public int RenamedKeys { get; init; }

    /// <summary>The class of a pickled model (e.g. <c>torchvision.models.densenet.DenseNet</c>); null for a state dict.</summary>
    public string? ModuleClass { get; init; }

    /// <summary>Free-form text the container carries (safetensors' <c>__metadata__</c>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> FileMetadata { get; init; } = new Dictionary<string, string>();
}
