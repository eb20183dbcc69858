using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// Collects the metadata of a checkpoint: for YOLOv5 the model's yaml, names and stride, and the
/// checkpoint's epoch and date; for any model the architecture guess and the source identity.
/// </summary>
internal static class CheckpointMetadata
{
    public static WeightMetadata Build(ModelExtractor.Extracted x, Func<TorchTensor, double[]> readValues, string sourceFile, string sha256,
        OpenedCheckpoint opened)
    {
        var model = x.Module?.StateDict;
        var yaml = model?.Get("yaml") as PyDict;
        var config = PlainValues.From(yaml) as Dictionary<string, object?> ?? [];
        return new WeightMetadata
        {
            Architecture = ArchitectureKinds.Detect(x.Module?.Type.FullName,
                yaml is not null && yaml.ContainsKey("backbone") && yaml.ContainsKey("head"),
                x.Tensors.Select(t => t.Name)),
            Config = config,
            ClassNames = ClassNames(model?.Get("names")),
            Stride = model?.Get("stride") switch
            {
                TorchTensor t => readValues(t),
                List<object?> list => list.Select(ToDouble).ToArray(),
                _ => [],
            },
            Epoch = x.Checkpoint?.Get("epoch") as long?,
            Date = x.Checkpoint?.Get("date") as string,
            Modules = x.Modules,
            SourceFile = sourceFile,
            SourceSha256 = sha256,
            Source = new WeightSource
            {
                Format = opened.Format,
                WrapperKey = x.WrapperKey,
                StrippedPrefix = x.StrippedPrefix,
                RenamedKeys = x.RenamedKeys,
                ModuleClass = x.Module?.Type.FullName,
                FileMetadata = opened.FileMetadata,
            },
        };
    }

    /// <summary>YOLOv5 keeps names as a list, or (newer) as a dict {index: name}; both become a list in index order.</summary>
    private static IReadOnlyList<string> ClassNames(object? names) => names switch
    {
        List<object?> list => list.Select(n => n as string ?? PlainValues.From(n)?.ToString() ?? "").ToArray(),
        PyDict dict => dict.Entries.Where(e => e.Key is long).OrderBy(e => (long)e.Key).Select(e => e.Value as string ?? "").ToArray(),
        _ => [],
    };

    private static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        _ => 0,
    };
}
