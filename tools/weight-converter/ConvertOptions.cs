namespace NativeCam.Weights;

/// <summary>How a checkpoint's tensors are stored.</summary>
public sealed record ConvertOptions
{
    public static readonly ConvertOptions Default = new();

    /// <summary>Keep float16/bfloat16 tensors as they are instead of widening them to float32 (the default).</summary>
    public bool KeepHalf { get; init; }

    /// <summary>The dtype a tensor of <paramref name="source"/> dtype is stored as.</summary>
    public string OutputDType(string source) =>
        !KeepHalf && source is DTypes.Float16 or DTypes.BFloat16 ? DTypes.Float32 : source;
}
